import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Oban} from '../../../src/instance/oban.js'
import type {PluginHandle} from '../../../src/plugin/plugin.js'
import {pluginHandles} from '../../../src/plugin/lookup.js'
import {LIBRARY} from '../../helpers/cli.js'
import {insertRaw, migratedDatabase} from '../../helpers/oban-db.js'

// The README's plugin, exactly as printed, with its imports pointed at this repository.
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
const code = /```ts\n(\/\/ plugins\/backlog\.ts\n[\s\S]*?)```/.exec(readme)?.[1]
const dir = mkdtempSync(join(tmpdir(), 'oban-readme-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const file = join(dir, 'backlog.ts')
writeFileSync(
  file,
  (code ?? '')
    .replace(
      "from 'oban-ts'",
      // The built package, as users import it: through jiti, src/index.ts would mean transpiling
      // the whole source tree, tens of seconds on a loaded machine.
      `from ${JSON.stringify(LIBRARY)}`,
    )
    .replace("from 'zod'", `from ${JSON.stringify(createRequire(import.meta.url).resolve('zod'))}`),
)

const {url, pool} = await migratedDatabase('readme_plugin')
const instances: Oban[] = []
afterEach(async () => {
  await Promise.all(instances.splice(0).map((o) => o.stop()))
})

describe("the README's plugin", () => {
  it('loads by path with options, runs on the leader and answers its interface functions', async () => {
    expect(code).toBeDefined()
    await insertRaw(pool, [{queue: 'mailers'}, {queue: 'mailers'}, {queue: 'mailers'}, {queue: 'other'}])
    const oban = new Oban(
      {databaseUrl: url, name: 'Readme', queues: false, plugins: [[file, {threshold: 2, queues: ['mailers']}]]},
      createLogger({level: 'silent'}),
    )
    instances.push(oban)
    await oban.start()
    const [backlog] = pluginHandles('Readme') as [PluginHandle]
    expect(backlog.pluginName).toBe('Backlog')
    expect(await backlog.call('check')).toEqual({mailers: 3})
    await backlog.call('setThreshold', {threshold: 5})
    expect(await backlog.call('check')).toEqual({})
    await expect(backlog.call('setThreshold', {threshold: 'x'})).rejects.toThrow(
      'Backlog.setThreshold: threshold: expected an integer, got "x"',
    )
  })
})
