import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import Init from '../../commands/init.js'
import {CONFIG_TEMPLATE, WORKER_TEMPLATE} from '../../src/cli/init/templates.js'
import {exampleArgv, exitOf, runArgv} from '../helpers/command-examples.js'
import {LIBRARY} from '../helpers/cli.js'
import {killChildrenAfterEach, spawnOban} from '../helpers/e2e.js'
import {eventually, insertRaw, migratedDatabase} from '../helpers/oban-db.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_init')
killChildrenAfterEach()
const base = mkdtempSync(join(tmpdir(), 'oban-init-'))
afterAll(() => rmSync(base, {recursive: true, force: true}))
let dirs = 0
const freshDir = () => {
  const dir = join(base, `p${++dirs}`)
  mkdirSync(dir)
  return dir
}

const init = (...argv: string[]) => runArgv(root, ['init', ...argv])
const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8')

describe('oban init', () => {
  it('writes the config and the example worker, ignores .oban/, and says what to run next', async () => {
    const dir = freshDir()
    const {stdout, error} = await init(dir)
    expect(error).toBeUndefined()
    expect(read(dir, 'oban.config.ts')).toBe(CONFIG_TEMPLATE)
    expect(read(dir, 'workers/example-worker.ts')).toBe(WORKER_TEMPLATE)
    expect(read(dir, '.gitignore')).toBe('.oban/\n')
    expect(stdout).toBe(
      [
        'created     oban.config.ts',
        'created     workers/example-worker.ts',
        'created     .gitignore',
        '',
        'Next:',
        '  npm install oban-ts',
        '  npx oban start',
        `  npx oban job insert ExampleWorker --args '{"name": "Ada"}'`,
        '',
      ].join('\n'),
    )
  })

  it('refuses to overwrite anything without --force, and overwrites with it', async () => {
    const dir = freshDir()
    await init(dir)
    writeFileSync(join(dir, 'oban.config.ts'), '// mine\n')
    const refused = await init(dir)
    expect(refused.error?.message).toBe(
      'oban.config.ts, workers/example-worker.ts already exist: nothing was written; pass --force to overwrite',
    )
    expect(exitOf(refused.error)).toBe(1)
    expect(read(dir, 'oban.config.ts')).toBe('// mine\n')

    const {result} = await init(dir, '--force', '--json')
    expect(result).toEqual({
      dir,
      files: [
        {path: 'oban.config.ts', action: 'overwritten'},
        {path: 'workers/example-worker.ts', action: 'overwritten'},
        {path: '.gitignore', action: 'unchanged'},
      ],
      next: ['npm install oban-ts', 'npx oban start', `npx oban job insert ExampleWorker --args '{"name": "Ada"}'`],
    })
    expect(read(dir, 'oban.config.ts')).toBe(CONFIG_TEMPLATE)
    expect(read(dir, '.gitignore')).toBe('.oban/\n')
  })

  it('refuses when another oban.config.* exists (one would shadow the other)', async () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'oban.config.json'), '{}')
    const {error} = await init(dir)
    expect(error?.message).toBe('oban.config.json already exists: nothing was written; pass --force to overwrite')
    expect(existsSync(join(dir, 'oban.config.ts'))).toBe(false)
  })

  it('appends .oban/ to an existing .gitignore once, keeping its lines', async () => {
    const dir = freshDir()
    writeFileSync(join(dir, '.gitignore'), 'node_modules\ndist')
    const {result} = await init(dir, '--json')
    expect((result as {files: unknown[]}).files).toContainEqual({path: '.gitignore', action: 'updated'})
    expect(read(dir, '.gitignore')).toBe('node_modules\ndist\n.oban/\n')
    const other = freshDir()
    writeFileSync(join(other, '.gitignore'), '/.oban\n')
    await init(other)
    expect(read(other, '.gitignore')).toBe('/.oban\n')
  })

  it('runs its examples', async () => {
    const dir = freshDir()
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      for (const example of Init.examples) {
        const argv = exampleArgv('init', example)
        const {error} = await runArgv(root, [...argv, ...(argv.includes('--force') ? [] : ['--force'])])
        expect(error, example).toBeUndefined()
      }
    } finally {
      process.chdir(cwd)
    }
    expect(read(dir, 'oban.config.ts')).toBe(CONFIG_TEMPLATE)
    expect(read(join(dir, 'my-app'), 'workers/example-worker.ts')).toBe(WORKER_TEMPLATE)
  })
})

describe('the generated project', {timeout: 120_000}, () => {
  it('starts with `oban start` and runs the example worker', async () => {
    const dir = freshDir()
    // What `npm install oban-ts` provides, pointing at this repository's build: 'oban-ts'
    // resolves from the project, and the config and worker load it as a user's would.
    mkdirSync(join(dir, 'node_modules', 'oban-ts'), {recursive: true})
    writeFileSync(
      join(dir, 'node_modules', 'oban-ts', 'package.json'),
      JSON.stringify({name: 'oban-ts', type: 'module', exports: './index.js'}),
    )
    writeFileSync(join(dir, 'node_modules', 'oban-ts', 'index.js'), `export * from ${JSON.stringify(LIBRARY)}\n`)
    const {result} = await init(dir, '--json')
    expect((result as {next: string[]}).next[0]).toBe('npx oban start')

    const oban = spawnOban(['start', '--config', 'oban.config.ts', '--database-url', url], {cwd: dir})
    await oban.waitFor(/is running on/, {timeoutMs: 90_000})
    expect(oban.stdout()).toContain('config oban.config.ts')
    const [id] = await insertRaw(pool, [{worker: 'ExampleWorker', args: {name: 'Ada'}}])
    await eventually(async () => {
      const {rows} = await pool.query<{state: string}>('SELECT state FROM oban_jobs WHERE id = $1', [id])
      return rows[0]?.state === 'completed'
    }, 20_000)
    expect(oban.stdout()).toContain(`Hello, Ada! (job ${id}, attempt 1)`)
    oban.signal('SIGTERM')
    expect((await oban.exited).code).toBe(0)
  })
})
