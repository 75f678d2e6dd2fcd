import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LIBRARY} from '../helpers/cli.js'
import {createFixture, spawnOban, type ObanProcess} from '../helpers/e2e.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'

// `oban plugin` from a separate process against real `oban start` processes: two nodes of
// instance Other and one of instance Oban, all running the Breakdown plugin and a fixture plugin
// with typed arguments, a throwing function and a slow one.

const {url, pool} = await migratedDatabase('e2e_plugin_call')
const fixture = createFixture(url)
const location = new URL(url).host + new URL(url).pathname

writeFileSync(
  join(fixture.dir, 'conf', 'echo.ts'),
  `import {definePlugin, PluginBase} from ${JSON.stringify(LIBRARY)}

class Echo extends PluginBase {
  override start(): void {}
}

export default definePlugin({
  name: 'Echo',
  description: 'Echoes its arguments',
  create: (context) => new Echo(context, undefined),
  functions: (fn) => ({
    echo: fn({
      description: 'Returns its arguments',
      args: [
        {name: 'text', description: 'What to say', type: 'string', required: true},
        {name: 'times', description: 'How often', type: 'integer'},
        {name: 'delay', description: 'Wait this long first', type: 'duration'},
      ],
      run: async (_service, args) => {
        if (typeof args.delay === 'number') await new Promise((resolve) => setTimeout(resolve, args.delay as number))
        return {text: String(args.text).repeat(typeof args.times === 'number' ? args.times : 1)}
      },
    }),
    boom: fn({
      description: 'Throws',
      run: () => {
        throw new Error('boom from the plugin')
      },
    }),
  }),
})
`,
)

const config = fixture.config(
  {queues: {default: 1}, plugins: [['Breakdown', {interval: '1s'}], './echo.ts']},
  'plugins.json',
)

// Three nodes booting at once next to other test files, on a loaded machine, can take longer than
// the fixture's default wait.
const BOOT_TIMEOUT_MS = 120_000

async function startNode(node: string, args: string[] = []): Promise<ObanProcess> {
  const proc = spawnOban(['start', '--database-url', url, '--config', config, '--node', node, ...args], {
    cwd: fixture.dir,
    env: {E2E_DATABASE_URL: url},
    node,
  })
  await proc.waitFor(/is running on/, {timeoutMs: BOOT_TIMEOUT_MS})
  return proc
}

/** Starts the three nodes at once. */
async function startNodes(): Promise<Record<'n1' | 'n2' | 'o1', ObanProcess>> {
  const [n1, n2, o1] = await Promise.all([
    startNode('n1', ['--instance', 'Other']),
    startNode('n2', ['--instance', 'Other']),
    startNode('o1'),
  ])
  return {n1, n2, o1}
}

interface ListedNode {
  instance: string
  node: string
  plugins: {name: string; status: string}[]
}

async function breakdownStates(): Promise<Record<string, string | undefined>> {
  const {code, stdout, stderr} = await fixture.cli('plugin', 'list', '--json')
  expect(stderr).toBe('')
  expect(code).toBe(0)
  const nodes = JSON.parse(stdout) as ListedNode[]
  return Object.fromEntries(
    nodes.map((n) => [`${n.instance}.${n.node}`, n.plugins.find((p) => p.name === 'Breakdown')?.status]),
  )
}

/** The one error line of a failed command (oclif indents it). */
const errorLine = (stderr: string) => {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '')
  expect(lines).toHaveLength(1)
  return lines[0]!.trim()
}

describe('oban plugin across processes', {timeout: 300_000}, () => {
  it("pauses Breakdown on Other's two nodes only, and reports every error in one line", async () => {
    const nodes = await startNodes()
    expect(await breakdownStates()).toEqual({'Oban.o1': 'running', 'Other.n1': 'running', 'Other.n2': 'running'})

    const paused = await fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'Other')
    expect(paused).toEqual({
      code: 0,
      stdout: 'Other.n1: ok {"status":"paused"}\nOther.n2: ok {"status":"paused"}\n',
      stderr: '',
    })
    expect(await breakdownStates()).toEqual({'Oban.o1': 'running', 'Other.n1': 'paused', 'Other.n2': 'paused'})
    expect(nodes.n1.stderr()).toMatch(/\[Other\] control: Breakdown\.pause called by request \w+: ok/)
    expect(nodes.o1.stderr()).not.toContain('Breakdown.pause')

    // Errors, several commands at once (each one is a separate process).
    const [unknownPlugin, unknownFn, badArgs, tooMany, noInstance, noNode, badTimeout, throws, slow] =
      await Promise.all([
        fixture.cli('plugin', 'pause', 'Breakdwn', '--instance', 'Other'),
        fixture.cli('plugin', 'paus', 'Breakdown', '--instance', 'Other'),
        fixture.cli('plugin', 'echo', 'Echo', 'hi', 'twice', '--instance', 'Other'),
        fixture.cli('plugin', 'resume', 'Breakdown', 'now', '--instance', 'Other'),
        fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'Third'),
        fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'Other', '--node', 'n3'),
        fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'Other', '--timeout', '5 parsecs'),
        fixture.cli('plugin', 'boom', 'Echo', '--instance', 'Other'),
        fixture.cli(
          'plugin',
          'echo',
          'Echo',
          'zz',
          '1',
          '3s',
          '--instance',
          'Other',
          '--node',
          'n2',
          '--timeout',
          '500ms',
        ),
      ])
    expect(errorLine(unknownPlugin.stderr)).toBe(
      'Error: instance "Other" has no plugin "Breakdwn" (did you mean "Breakdown"?); its plugins: Breakdown, Echo',
    )
    expect(errorLine(unknownFn.stderr)).toBe(
      'Error: plugin Breakdown has no function "paus" (did you mean "pause"?); its functions: last, pause, refresh, resume',
    )
    expect(errorLine(badArgs.stderr)).toMatch(/^Error: Echo\.echo: times: expected an integer, got /)
    expect(errorLine(tooMany.stderr)).toBe('Error: Breakdown.resume: takes no arguments, got 1: "now"')
    expect(errorLine(noInstance.stderr)).toBe(
      `Error: no node of instance Third is running against ${location}; running instances: Oban, Other`,
    )
    expect(errorLine(noNode.stderr)).toBe(
      `Error: no node n3 of instance Other is running against ${location} (did you mean "n1"?); its nodes: n1, n2`,
    )
    expect(errorLine(badTimeout.stderr)).toMatch(/^Error: --timeout "5 parsecs": expected a duration/)
    for (const usage of [unknownPlugin, unknownFn, badArgs, tooMany, badTimeout]) {
      expect(usage.stdout).toBe('')
      expect(usage.code).toBe(2)
    }
    expect(noInstance.code).toBe(1)
    expect(noNode.code).toBe(1)
    expect(throws).toMatchObject({
      code: 1,
      stdout: 'Other.n1: error: boom from the plugin\nOther.n2: error: boom from the plugin\n',
    })
    expect(errorLine(throws.stderr)).toBe(
      'Error: Echo.boom failed on 2 of 2 nodes: Other.n1: boom from the plugin; Other.n2: boom from the plugin',
    )
    expect(slow).toMatchObject({code: 1, stdout: 'Other.n2: no answer within 500ms\n'})
    expect(errorLine(slow.stderr)).toBe('Error: Other.n2 did not answer within 500ms')

    // Junk on the control channel is logged by every node and crashes none of them.
    await pool.query(
      "SELECT pg_notify('public.oban_ts_control', 'not json'), pg_notify('public.oban_ts_control', '{\"v\":1,\"id\":3}')",
    )
    for (const node of Object.values(nodes)) {
      await node.waitFor(/notifier: ignored a malformed notification on "public\.oban_ts_control": "not json"/, {
        stream: 'stderr',
      })
      await node.waitFor(/control: ignored a malformed request on ts_control: bad id 3/, {stream: 'stderr'})
    }

    const resumed = await fixture.cli('plugin', 'resume', 'Breakdown', '--instance', 'Other', '--json')
    expect(resumed.code).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      ok: true,
      nodes: [
        {node: 'n1', status: 'ok', result: {status: 'running'}},
        {node: 'n2', status: 'ok', result: {status: 'running'}},
      ],
    })
    for (const node of Object.values(nodes)) expect(node.running).toBe(true)
  })

  it('names a node that died without a word, and forgets a node that stopped', async () => {
    const {n1, n2} = await startNodes()
    n2.signal('SIGKILL')
    await n2.exited
    const call = await fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'Other', '--timeout', '1s')
    expect(call).toMatchObject({code: 1, stdout: 'Other.n1: ok {"status":"paused"}\nOther.n2: no answer within 1s\n'})
    expect(errorLine(call.stderr)).toBe(
      'Error: Breakdown.pause failed on 1 of 2 nodes: Other.n2 did not answer within 1s',
    )

    // A graceful stop deletes the node's row at once; the killed node's row expires by itself.
    n1.signal('SIGTERM')
    await n1.exited
    await eventually(async () => !('Other.n1' in (await breakdownStates())), 5_000, 'n1 to leave the presence table')
    expect(Object.keys(await breakdownStates())).toEqual(['Oban.o1', 'Other.n2'])
    await pool.query("UPDATE oban_ts_nodes SET expires_at = timezone('UTC', now()) WHERE node = 'n2'")
    const none = await fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'Other')
    expect(none.code).toBe(1)
    expect(errorLine(none.stderr)).toBe(
      `Error: no node of instance Other is running against ${location}; running instances: Oban`,
    )
  })
})
