import {execFile, spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {promisify, stripVTControlCharacters} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {cliEnv, REPO} from '../helpers/cli.js'
import {createTestDatabase} from '../helpers/db.js'

/*
 * The package as a new user gets it: `npm pack` (of dist/, which the global setup keeps built),
 * installed into a project outside the repository with zod, TypeScript and vitest (from npm's
 * cache when it has them), and a small app written against it: the README's Backlog plugin as
 * printed, a worker, an app that inserts through ObanClient and calls the plugin from code, and a
 * test file using every testing helper, and the README's testing example. It must type-check with `skipLibCheck: false`, the app
 * must run (its plugin also called by `oban plugin` from another process), and the tests must
 * pass under vitest and node:test. One pack and one install for everything.
 */

const run = promisify(execFile)
const url = await createTestDatabase('packed')
const dir = mkdtempSync(join(tmpdir(), 'oban-packed-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, {version?: string}>
}
const version = (name: string) => lock.packages[`node_modules/${name}`]!.version!

const readme = readFileSync(join(REPO, 'README.md'), 'utf8')
const backlog = /```ts\n(\/\/ plugins\/backlog\.ts\n[\s\S]*?)```/.exec(readme)?.[1]
// The README's testing example: a small app and its test file, as printed.
const exampleApp = /```ts\n(\/\/ app\.ts\n[\s\S]*?)```/.exec(readme)?.[1]
const exampleTest = /```ts\n(\/\/ app\.test\.ts[^\n]*\n[\s\S]*?)```/.exec(readme)?.[1]

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({name: 'packed-app', private: true, type: 'module'}),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      strict: true,
      skipLibCheck: false,
      outDir: 'build',
      rootDir: '.',
      types: ['node'],
    },
    include: ['*.ts', 'plugins/*.ts'],
  }),
  'plugins/backlog.ts': backlog ?? '',
  'app.ts': exampleApp ?? '',
  'app.test.ts': exampleTest ?? '',
  'workers.ts': `import {defineWorker, error} from 'oban-ts'
export const Email = defineWorker<{to: string}>({
  name: 'App.Email',
  queue: 'mailers',
  perform: (job) => (job.args.to.includes('@') ? undefined : error('not an address')),
})
`,
  // The app: inserts through the insert-only client, runs a node with the plugin, calls it from code.
  'main.ts': `import {ObanClient, Oban, whereis, type InsertResult, type CancelledJob} from 'oban-ts'
import Backlog from './plugins/backlog.js'
import {Email} from './workers.js'

const databaseUrl = process.env.DATABASE_URL!
const oban = await Oban.start(
  {databaseUrl, queues: false, plugins: [[Backlog, {threshold: 1, queues: ['mailers']}]], logLevel: 'silent'},
  {migrate: true},
)
const client = new ObanClient({databaseUrl})
const inserted: InsertResult = await client.insert(Email.new({to: 'a@example.com'}))
await client.insertAll([Email.new({to: 'b@example.com'}), Email.new({to: 'c@example.com'})])
const mailers: number | undefined = (await Backlog.check()).mailers
await Backlog.setThreshold({threshold: 2})
const restarts: number | undefined = whereis('Oban', {plugin: Backlog})?.restarts
const none: CancelledJob[] = []
console.log(JSON.stringify({id: inserted.job.id, mailers, restarts, cancelled: none.length}))
await client.close()
// Serve \`oban plugin\` calls until stdin closes.
process.stdin.resume()
process.stdin.on('end', () => void oban.stop())
`,
  // Every testing helper, in a schema of its own per runner (isolation between test files).
  'checks.ts': `import assert from 'node:assert/strict'
import pg from 'pg'
import {Oban, ObanClient} from 'oban-ts'
import {obanTesting, performJob} from 'oban-ts/testing'
import {Email} from './workers.js'

export async function checks(databaseUrl: string, prefix: string): Promise<void> {
  const setup = await Oban.start({databaseUrl, prefix, queues: false, plugins: false, logLevel: 'silent'}, {migrate: true})
  await setup.stop()
  const pool = new pg.Pool({connectionString: databaseUrl})
  try {
    await pool.query(\`TRUNCATE "\${prefix}".oban_jobs\`)
    const testing = obanTesting({db: pool, prefix, workers: [Email]})
    const client = new ObanClient({pool, prefix})
    assert.equal((await performJob(Email, {to: 'a@x'})).kind, 'ok')
    assert.equal((await performJob(Email, {to: 'nobody'})).kind, 'error')
    await client.insert(Email.new({to: 'a@x'}, {meta: {campaign: {id: 7, name: 'spring'}}}))
    await testing.assertEnqueued({worker: Email, args: {to: 'a@x'}, meta: {campaign: {id: 7}}})
    await testing.refuteEnqueued({worker: Email, args: {to: 'b@x'}})
    await assert.rejects(testing.assertEnqueued({worker: Email, args: {to: 'b@x'}}), assert.AssertionError)
    assert.equal((await testing.allEnqueued({worker: Email})).length, 1)
    await client.insert(Email.new({to: 'nobody'}))
    assert.deepEqual(await testing.drainQueue({queue: 'mailers'}), {success: 1, failure: 1, cancelled: 0, snoozed: 0, discard: 0})
    const inline = new ObanClient({testing: 'inline', workers: [Email]})
    assert.equal((await inline.insert(Email.new({to: 'c@x'}))).job.state, 'completed')
  } finally {
    await pool.end()
  }
}
`,
  'app.vitest.test.ts': `import {it} from 'vitest'
import {checks} from './checks.js'
it('uses every testing helper (vitest)', () => checks(process.env.DATABASE_URL!, 'under_vitest'), 60_000)
`,
  'app.node.test.ts': `import {test} from 'node:test'
import {checks} from './checks.js'
await test('uses every testing helper (node:test)', () => checks(process.env.DATABASE_URL!, 'under_node_test'))
`,
}

describe('the packed package in a new project', () => {
  it('type-checks with skipLibCheck false, runs the app, its plugin from code and from oban plugin, and its tests', async () => {
    expect([backlog, exampleApp, exampleTest].every(Boolean)).toBe(true)
    const env = cliEnv({DATABASE_URL: url})
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {cwd: REPO})
    const [{filename}] = JSON.parse(packed.stdout) as [{filename: string}]
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, file)), {recursive: true})
      writeFileSync(join(dir, file), text)
    }
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(dir, filename),
        `zod@${version('zod')}`,
        `typescript@${version('typescript')}`,
        `vitest@${version('vitest')}`,
        `@types/node@${version('@types/node')}`,
      ],
      {cwd: dir, env},
    )

    // Type-check and compile, with every library's .d.ts checked.
    const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], {cwd: dir}).catch(
      (error: Error & {stdout?: string}) => ({stdout: error.stdout ?? error.message}),
    )
    expect(tsc.stdout).toBe('')

    // The app: inserts, calls its plugin, then serves `oban plugin` from another process.
    const app = spawn(process.execPath, ['build/main.js'], {cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe']})
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = ''
        let err = ''
        app.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('\n')) resolve(out.split('\n')[0]!)
        })
        app.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
        app.on('exit', (code) => reject(new Error(`app exited ${code}: ${err}`)))
      })
      expect(JSON.parse(line)).toMatchObject({mailers: 3, restarts: 0, cancelled: 0})
      const called = await run(
        process.execPath,
        ['node_modules/oban-ts/bin/run.js', 'plugin', 'check', 'Backlog', '--json', '--timeout', '30s'],
        {cwd: dir, env},
      )
      expect(JSON.parse(called.stdout)).toMatchObject({ok: true, nodes: [{status: 'ok', result: {mailers: 3}}]})
    } finally {
      app.stdin.end()
      await new Promise((resolve) => (app.exitCode === null ? app.once('exit', resolve) : resolve(null)))
    }

    // The same checks under both runners, and the README's example test.
    const vitest = await run(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'app.vitest.test.ts', 'app.test.ts', '--no-file-parallelism'],
      {cwd: dir, env},
    )
    expect(stripVTControlCharacters(vitest.stdout)).toMatch(/Tests\s+4 passed/)
    const nodeTest = await run(process.execPath, ['--test', 'build/app.node.test.js'], {cwd: dir, env})
    expect(nodeTest.stdout).toMatch(/# pass 1\n# fail 0/)
  }, 600_000)
})
