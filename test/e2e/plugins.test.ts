import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LIBRARY} from '../helpers/cli.js'
import {createFixture, runOban} from '../helpers/e2e.js'
import {migratedDatabase} from '../helpers/oban-db.js'

const {url} = await migratedDatabase('e2e_plugins')
const fixture = createFixture(url)
// Checks made before connecting run against a server that is not there.
const NOWHERE = 'postgres://postgres@127.0.0.1:1/nowhere'

const index = JSON.stringify(LIBRARY)
writeFileSync(
  join(fixture.dir, 'conf', 'crash.ts'),
  `import {definePlugin, PluginBase} from ${index}

class Crash extends PluginBase {
  override start(): void {
    this.every(20, () => {
      throw new Error('the crash plugin always fails')
    })
  }
}

export default definePlugin({name: 'Crash', create: (context) => new Crash(context, undefined)})
`,
)

/** `oban start` that must fail before starting: its exit code and its one line of stderr. */
async function failedStart(args: string[]): Promise<{code: number | null; line: string}> {
  const {code, stdout, stderr} = await runOban(['start', '--database-url', NOWHERE, ...args], {cwd: fixture.dir})
  expect(stdout).toBe('')
  const lines = stderr.split('\n').filter((line) => line.trim() !== '')
  expect(lines).toHaveLength(1)
  return {code, line: lines[0]!.trim()}
}

describe('oban start with plugins', {timeout: 60_000}, () => {
  it.each([
    [
      'Breakdown:interval=bad',
      '--plugin Breakdown: interval: expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "bad"',
    ],
    [
      'Breakdwn',
      '--plugin Breakdwn: unknown plugin "Breakdwn" (did you mean "Breakdown"?): the built-in plugins are Breakdown, Cron, Lifeline, Pruner, Reindexer; give a custom plugin by its module path, e.g. ./plugins/my-plugin.js',
    ],
    [
      'Breakdown:interval',
      '--plugin "Breakdown:interval": "interval" is not KEY=VALUE; expected e.g. Breakdown:interval=10s',
    ],
  ])('refuses --plugin %s in one line, exit 2, before connecting', async (spec, message) => {
    const {code, line} = await failedStart(['--config', fixture.config(), '--plugin', spec])
    expect(line).toBe(`Error: ${message}`)
    expect(code).toBe(2)
  })

  it('refuses a plugin path from a config file, resolved next to the file', async () => {
    const config = fixture.config({plugins: ['./missing-plugin.ts']}, 'missing-plugin.json')
    const {code, line} = await failedStart(['--config', config])
    expect(line).toBe(
      `Error: plugins[0] (./missing-plugin.ts): ${join(fixture.dir, 'conf', 'missing-plugin.ts')} does not exist`,
    )
    expect(code).toBe(2)
  })

  it('runs plugins given by flag and by path, and stops cleanly', async () => {
    const proc = await fixture.start('plugins-1', {
      config: fixture.config({queues: {default: 1}}),
      args: ['--plugin', 'Breakdown:interval=1s', '--plugin', './conf/crash.ts'],
    })
    // The crashing plugin is restarted and isolated; the instance runs on.
    await proc.waitFor(/PLUGIN FAILED: Crash crashed 6 times within 1m/, {stream: 'stderr'})
    expect(proc.running).toBe(true)
    proc.signal('SIGTERM')
    const {code} = await proc.exited
    expect(proc.stdout()).toMatch(/SIGTERM: stopping\.\.\.\nStopped\.\n$/)
    expect(code).toBe(0)
  })

  it('exits non-zero with the plugin error when a plugin escalates', async () => {
    const config = fixture.config(
      {
        queues: {default: 1},
        plugins: ['./crash.ts'],
        pluginSupervision: {maxRestarts: 1, backoff: '10ms', onExhausted: 'escalate'},
      },
      'escalate.json',
    )
    const proc = await fixture.start('plugins-2', {config})
    const {code} = await proc.exited
    const stderr = proc.stderr().trim().split('\n')
    expect(stderr.at(-1)?.trim()).toBe(
      'Error: plugin Crash crashed 2 times within 1m (at most 1 restarts allowed); stopping instance "Oban" (pluginSupervision.onExhausted is "escalate"). Last error: the crash plugin always fails',
    )
    expect(code).toBe(1)
  })
})
