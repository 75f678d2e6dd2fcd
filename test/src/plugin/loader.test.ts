import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {parsePluginSpecs} from '../../../src/cli/plugin-spec.js'
import {ConfigError} from '../../../src/errors.js'
import {loadPlugins, type LoadPluginsOptions} from '../../../src/plugin/loader.js'
import {Breakdown, builtinPlugins} from '../../../plugins/index.js'

const root = mkdtempSync(join(tmpdir(), 'oban-plugins-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

// As the CLI loads them: with the built-in catalogue handed over.
const load = (entries: readonly unknown[], options: LoadPluginsOptions = {}) =>
  loadPlugins(entries, {builtins: builtinPlugins, ...options})
// The temp folder has no node_modules: modules import zod by its resolved path.
const zod = JSON.stringify(createRequire(import.meta.url).resolve('zod'))
const src = (file: string) => JSON.stringify(fileURLToPath(new URL(`../../../src/${file}`, import.meta.url)))

writeFileSync(
  join(root, 'greeter.ts'),
  `import {z} from ${zod}
import {definePlugin} from ${src('plugin/define.ts')}
const greeting: string = 'hello'
export default definePlugin({
  name: 'Greeter',
  options: z.strictObject({greeting: z.string().default(greeting)}),
  create: () => ({start() {}, stop() {}}),
})
`,
)
writeFileSync(
  join(root, 'two.mjs'),
  `import {definePlugin} from ${src('plugin/define.ts')}
export const A = definePlugin({name: 'A', create: () => ({start() {}, stop() {}})})
export const B = definePlugin({name: 'B', create: () => ({start() {}, stop() {}})})
`,
)
writeFileSync(join(root, 'none.mjs'), 'export const x = 1\n')
writeFileSync(join(root, 'broken.ts'), 'export const = 1\n')

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadPlugins', () => {
  it('resolves built-ins by name, plugin objects and module paths (TypeScript through jiti), with options', async () => {
    const plugins = await load(
      [
        ['Breakdown', {interval: '5s'}],
        ['./greeter.js', {greeting: 'hi'}],
      ],
      {cwd: root},
    )
    expect(plugins.map((p) => [p.plugin.pluginName, p.options, p.label])).toEqual([
      ['Breakdown', {interval: 5000}, 'plugins[0] (Breakdown)'],
      ['Greeter', {greeting: 'hi'}, 'plugins[1] (Greeter)'],
    ])
    expect(plugins[0]!.plugin).toBe(Breakdown)
    const byObject = await load([Breakdown, join(root, 'greeter.ts')])
    expect(byObject.map((p) => p.options)).toEqual([{interval: 10_000}, {greeting: 'hello'}])
  })

  it('knows no plugin by name without a catalogue (library use): it says to import the plugin', async () => {
    expect(await errorOf(loadPlugins(['Breakdown']))).toBe(
      `plugins[0] (Breakdown): unknown plugin "Breakdown": plugins go by name only under the oban CLI; in code, import the plugin (import {Breakdown} from 'oban-ts/plugins') and configure the object, or give a module path`,
    )
  })

  it('suggests a built-in for a misspelt name', async () => {
    expect(await errorOf(load(['Breakdwn']))).toBe(
      'plugins[0] (Breakdwn): unknown plugin "Breakdwn" (did you mean "Breakdown"?): the built-in plugins are Breakdown, Cron, Lifeline, Pruner, Reindexer; give a custom plugin by its module path, e.g. ./plugins/my-plugin.js',
    )
  })

  it('validates the options of names and paths, and those from --plugin after coercion', async () => {
    expect(await errorOf(load([['Breakdown', {interval: 'abc'}]]))).toBe(
      'plugins[0] (Breakdown): interval: expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "abc"',
    )
    expect(await errorOf(load([['./greeter.ts', {greting: 'x'}]], {cwd: root}))).toBe(
      'plugins[0] (Greeter): unknown option "greting" (did you mean "greeting"?)',
    )
    expect(await errorOf(load(parsePluginSpecs(['Breakdown:interval=bad'])))).toBe(
      '--plugin Breakdown: interval: expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "bad"',
    )
    const fromFlag = await load(parsePluginSpecs(['Breakdown:interval=250']))
    expect(fromFlag[0]!.options).toEqual({interval: 250})
  })

  it('refuses the same plugin twice, also when a path names a built-in', async () => {
    expect(await errorOf(load(['./greeter.ts', join(root, 'greeter.ts')], {cwd: root}))).toBe(
      'plugins[1] (Greeter): Greeter is already configured by plugins[0] (Greeter); configure each plugin once, with all its options',
    )
  })

  it('reports a missing path, a module without plugin, with several and one that does not load', async () => {
    expect(await errorOf(load(['./missing.ts'], {cwd: root}))).toBe(
      `plugins[0] (./missing.ts): ${join(root, 'missing.ts')} does not exist`,
    )
    expect(await errorOf(load(['./none.mjs'], {cwd: root}))).toBe(
      `plugins[0] (./none.mjs): ${join(root, 'none.mjs')} exports no plugin: export the result of definePlugin({name, create, ...})`,
    )
    expect(await errorOf(load(['./two.mjs'], {cwd: root}))).toBe(
      `plugins[0] (./two.mjs): ${join(root, 'two.mjs')} exports several plugins (A, B): export the one to use as default, or give each its own module`,
    )
    expect(await errorOf(load(['./broken.ts'], {cwd: root}))).toMatch(
      new RegExp(`^cannot load a plugin from ${join(root, 'broken.ts').replace(/[.\\]/g, '\\$&')}: `),
    )
  })
})
