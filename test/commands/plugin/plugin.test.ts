import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import PluginCall from '../../../commands/plugin/index.js'
import PluginList from '../../../commands/plugin/list.js'
import {Breakdown} from '../../../plugins/breakdown/index.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Oban} from '../../../src/instance/oban.js'
import type {Plugin} from '../../../src/plugin/plugin.js'
import {pluginHandles} from '../../../src/plugin/lookup.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {Echo} from '../../src/control/echo-plugin.js'

// `oban plugin` and `oban plugin list` through oclif (discovery, parsing, help, --json), against
// instances running in this process: the command reaches them through the database only.

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url} = await migratedDatabase('cmd_plugin')
const location = new URL(url).host + new URL(url).pathname
const instances: Oban[] = []

beforeAll(async () => {
  for (const [name, node, plugins] of [
    ['Other', 'worker-1', [[Breakdown, {interval: '1s'}], Echo]],
    ['Oban', 'o1', [[Breakdown, {interval: '1s'}]]],
  ] as const) {
    const oban = new Oban(
      {databaseUrl: url, name, node, queues: {default: 3}, plugins: plugins as unknown as Plugin[]},
      createLogger({level: 'silent'}),
    )
    instances.push(oban)
    await oban.start()
  }
})
afterAll(() => Promise.all(instances.map((o) => o.stop())))

const oban = (...argv: string[]) => runCommand([...argv, '--database-url', url], {root})
const exitOf = (error: unknown) => (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit
const status = (instance: string) => pluginHandles(instance).find((h) => h.pluginName === 'Breakdown')?.status

describe('oban plugin FUNCTION PLUGIN', () => {
  it('calls the function on the instance’s nodes and prints one line per node', async () => {
    const {stdout, stderr, error} = await oban('plugin', 'pause', 'Breakdown', '--instance', 'Other')
    expect(error).toBeUndefined()
    expect(stderr).toBe('')
    expect(stdout).toBe('Other.worker-1: ok {"status":"paused"}\n')
    expect(status('Other')).toBe('paused')
    expect(status('Oban')).toBe('running')
    expect((await oban('plugin', 'resume', 'Breakdown', '--instance', 'Other')).stdout).toBe(
      'Other.worker-1: ok {"status":"running"}\n',
    )
  })

  it('addresses instance Oban by default, parses ARGS by type, and returns JSON with --json', async () => {
    expect((await oban('plugin', 'last', 'Breakdown', '--node', 'o1')).stdout).toMatch(/^Oban\.o1: ok /)
    const {stdout, result} = await oban('plugin', 'echo', 'Echo', 'hi', '2', '--instance', 'Other', '--json')
    expect(JSON.parse(stdout)).toEqual(result)
    expect(result).toMatchObject({
      instance: 'Other',
      plugin: 'Echo',
      fn: 'echo',
      args: {text: 'hi', times: 2},
      ok: true,
      nodes: [{node: 'worker-1', status: 'ok', result: {text: 'hihi'}}],
    })
  })

  it.each([
    [
      ['pause', 'Breakdwn', '--instance', 'Other'],
      'instance "Other" has no plugin "Breakdwn" (did you mean "Breakdown"?); its plugins: Breakdown, Echo',
      2,
    ],
    [
      ['paus', 'Breakdown', '--instance', 'Other'],
      'plugin Breakdown has no function "paus" (did you mean "pause"?); its functions: last, pause, refresh, resume',
      2,
    ],
    [['echo', 'Echo', '--instance', 'Other'], 'Echo.echo: text: is required (What to say)', 2],
    [['pause', 'Breakdown', 'now', '--instance', 'Other'], 'Breakdown.pause: takes no arguments, got 1: "now"', 2],
    [
      ['pause', 'Breakdown', '--instance', 'Othr'],
      `no node of instance Othr is running against ${location} (did you mean "Other"?); running instances: Oban, Other`,
      1,
    ],
    [
      ['pause', 'Breakdown', '--timeout', 'soon'],
      '--timeout "soon": expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "soon"',
      2,
    ],
    [['boom', 'Echo', '--instance', 'Other'], 'Echo.boom failed on Other.worker-1: boom from the plugin', 1],
    [
      ['echo', 'Echo', 'a', '1', '2s', '--instance', 'Other', '--timeout', '200ms'],
      'Other.worker-1 did not answer within 200ms',
      1,
    ],
  ])('oban plugin %j fails in one line', async (argv, message, exit) => {
    const {error} = await oban('plugin', ...argv)
    expect(error?.message).toBe(message)
    expect(exitOf(error)).toBe(exit)
  })

  it('prints every node’s outcome before the error, and both with --json', async () => {
    const text = await oban('plugin', 'boom', 'Echo', '--instance', 'Other')
    expect(text.stdout).toBe('Other.worker-1: error: boom from the plugin\n')
    const json = await oban('plugin', 'boom', 'Echo', '--instance', 'Other', '--json')
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {code: 'plugin_call_failed', message: 'Echo.boom failed on Other.worker-1: boom from the plugin'},
      result: {ok: false, nodes: [{node: 'worker-1', status: 'error', error: {code: 'plugin_function_failed'}}]},
    })
  })

  it('shows usage, ARGS and examples in --help, and lists the list subcommand', async () => {
    const {stdout} = await runCommand(['plugin', '--help'], {root})
    expect(stdout).toContain('$ oban plugin FUNCTION PLUGIN [ARGS...] [--instance NAME]')
    expect(stdout).toMatch(
      /ARGUMENTS\n {2}FUNCTION {3}The function to call, e.g. pause.\n {2}PLUGIN {5}.*\n {2}\[ARGS\.\.\.\]/,
    )
    expect(stdout).toContain('$ oban plugin pause Breakdown --instance Other')
    expect(stdout).toMatch(/COMMANDS\n {2}plugin list /)
  })
})

describe('the examples in --help', () => {
  const examples = (
    [
      ['plugin', PluginCall],
      ['plugin list', PluginList],
    ] as const
  ).flatMap(([id, command]) =>
    (command.examples ?? []).map((example) =>
      String(example).replace('<%= config.bin %> <%= command.id %>', id).replace('<%= config.bin %> ', ''),
    ),
  )

  it.each(examples)('oban %s runs', async (example) => {
    const {error} = await oban(...example.split(' '))
    expect(error).toBeUndefined()
  })
})

describe('oban plugin list', () => {
  it('shows each node with its plugins, state and functions', async () => {
    const {stdout, error} = await oban('plugin', 'list', '--instance', 'Other')
    expect(error).toBeUndefined()
    const lines = stdout.split('\n')
    expect(lines[0]).toMatch(/^Other\.worker-1 {2}pid \d+ on \S+, (leader, )?up \d+s, seen \d+s ago$/)
    expect(lines).toContain('  Breakdown  running  Counts jobs by queue and state every interval')
    expect(lines).toContain(
      '    echo TEXT [TIMES] [DELAY]  Returns its arguments (TEXT: string, What to say; TIMES: integer, How often; DELAY: duration, Wait this long first)',
    )
  })

  it('lists every instance by default, and returns the nodes with --json', async () => {
    const {stdout} = await oban('plugin', 'list')
    expect(
      stdout
        .split('\n')
        .filter((l) => /^\S/.test(l))
        .map((l) => l.split(' ')[0]),
    ).toEqual(['Oban.o1', 'Other.worker-1'])
    const {result} = await oban('plugin', 'list', '--instance', 'Oban', '--json')
    // The node started no later than its first producer (Lifeline relies on it).
    const [listed] = result as {startedAt: Date}[]
    expect(listed!.startedAt.getTime()).toBeLessThanOrEqual(instances[1]!.checkQueue('default')!.startedAt.getTime())
    expect(result).toEqual([
      expect.objectContaining({
        instance: 'Oban',
        node: 'o1',
        notifier: 'postgres',
        queues: [{queue: 'default', limit: 3, paused: false, running: 0}],
        plugins: [expect.objectContaining({name: 'Breakdown', status: 'running', restarts: 0})],
      }),
    ])
  })

  it('says when no node of the instance is running', async () => {
    const {error} = await oban('plugin', 'list', '--instance', 'Nope')
    expect(error?.message).toBe(
      `no node of instance Nope is running against ${location}; running instances: Oban, Other`,
    )
    expect(exitOf(error)).toBe(1)
  })
})
