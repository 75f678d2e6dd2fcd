import {hostname} from 'node:os'
import {describe, expect, it} from 'vitest'
import {callPluginFunction} from '../../src/control/client.js'
import {createFixture, spawnOban, type ObanProcess} from '../helpers/e2e.js'
import {eventually, insertRaw, migratedDatabase} from '../helpers/oban-db.js'

// `oban breakdown` is a viewer: a node of the instance that runs the Breakdown plugin and nothing
// else. Real processes: one `oban start` node (w1: queue default, Breakdown and Pruner) and one
// `oban breakdown --json` (piped, so it streams NDJSON) of the same instance.
const {url, pool} = await migratedDatabase('e2e_viewer')
const fixture = createFixture(url)
const INSTANCE = 'Viewed'
// Two processes booting through tsx on a loaded machine.
const BOOT_TIMEOUT_MS = 120_000

interface StatusNode {
  node: string
  role: string
  leader: boolean
  queues: {queue: string}[]
  plugins: {name: string}[]
}

async function statusNodes(): Promise<StatusNode[]> {
  const {stdout, code} = await fixture.cli('status', '--instance', INSTANCE, '--json')
  if (code !== 0) return []
  const status = JSON.parse(stdout) as {instances: {nodes: StatusNode[]}[]}
  return status.instances[0]?.nodes ?? []
}

async function startBoth(): Promise<{worker: ObanProcess; viewer: ObanProcess; viewerNode: string}> {
  const config = fixture.config({queues: {default: 2}, plugins: [['Breakdown', {interval: '1s'}], 'Pruner']})
  const viewer = spawnOban(['breakdown', '--json', '--interval', '1s', '--instance', INSTANCE, '--database-url', url], {
    cwd: fixture.dir,
  })
  const [worker] = await Promise.all([
    fixture.start('w1', {config, args: ['--instance', INSTANCE]}),
    viewer.waitFor(/"status":"running"/, {timeoutMs: BOOT_TIMEOUT_MS}),
  ])
  // `oban breakdown` takes the default node name, <hostname>-<pid>; the child is the node process.
  const viewerNode = `${hostname()}-${viewer.child.pid}`
  await eventually(async () => (await statusNodes()).length === 2, 30_000, 'both presence rows')
  return {worker, viewer, viewerNode}
}

/** Stops both gracefully (their presence rows are deleted, so the next test sees only its own nodes). */
async function stopBoth(...procs: ObanProcess[]): Promise<void> {
  for (const proc of procs) proc.signal('SIGINT')
  await Promise.all(procs.map((proc) => proc.exited))
}

describe('oban breakdown is a viewer node', {timeout: 240_000}, () => {
  it('runs no queue: ignores `oban queue start`, never leads, and oban status says viewer', async () => {
    const {worker, viewer: viewerProc, viewerNode} = await startBoth()

    const started = await fixture.cli('queue', 'start', 'zzz', '--limit', '1', '--instance', INSTANCE)
    expect(started.code).toBe(0)
    // The signal and then a call reach the viewer on its one LISTEN connection, in that order, and
    // it rewrites its presence row before it replies: after the reply, the row shows the signal's
    // effect, if any.
    const last = await fixture.cli('plugin', 'last', 'Breakdown', '--instance', INSTANCE, '--node', viewerNode)
    expect(last.code).toBe(0)
    await eventually(
      async () => (await statusNodes()).some((n) => n.node === 'w1' && n.queues.length === 2),
      30_000,
      'w1 running queue zzz',
    )

    const nodes = await statusNodes()
    const viewer = nodes.find((n) => n.node === viewerNode)
    expect(viewer).toMatchObject({role: 'viewer', leader: false, queues: [], plugins: [{name: 'Breakdown'}]})
    expect(nodes.find((n) => n.node === 'w1')).toMatchObject({role: 'node', leader: true})

    // A job of queue zzz is run by w1, never fetched by the viewer.
    const [id] = await insertRaw(pool, [{queue: 'zzz', maxAttempts: 1}])
    await eventually(
      async () => {
        const {rows} = await pool.query<{state: string}>('SELECT state FROM oban_jobs WHERE id = $1', [id])
        return rows[0]?.state !== 'available'
      },
      30_000,
      'the zzz job attempted',
    )
    const {rows} = await pool.query<{attempted_by: string[]}>('SELECT attempted_by FROM oban_jobs WHERE id = $1', [id])
    expect(rows[0]?.attempted_by[0]).toBe('w1')

    const human = await fixture.cli('status', '--instance', INSTANCE)
    expect(human.stdout).toMatch(new RegExp(`${viewerNode} +oban-ts +viewer `))
    await stopBoth(worker, viewerProc)
  })

  it('oban plugin skips nodes that do not run the plugin; no node running it is a clear error', async () => {
    const {worker, viewer, viewerNode} = await startBoth()

    // Pruner runs on w1 only: the viewer is skipped, and the call succeeds.
    const paused = await fixture.cli('plugin', 'pause', 'Pruner', '--instance', INSTANCE)
    expect(paused.stderr).toBe('')
    expect(paused.code).toBe(0)
    expect(paused.stdout).toBe(
      `${INSTANCE}.w1: ok {"status":"paused"}\n${INSTANCE}.${viewerNode}: skipped (does not run Pruner)\n`,
    )

    const json = await fixture.cli('plugin', 'resume', 'Pruner', '--instance', INSTANCE, '--json')
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      nodes: [
        {node: 'w1', status: 'ok'},
        {node: viewerNode, status: 'skipped'},
      ],
    })

    const fromCode = await callPluginFunction(url, {instance: INSTANCE, plugin: 'Pruner', fn: 'pause'})
    expect(fromCode.ok).toBe(true)
    expect(fromCode.nodes.map((n) => [n.node, n.status])).toEqual([
      ['w1', 'ok'],
      [viewerNode, 'skipped'],
    ])

    // Breakdown runs on both: both are called.
    const both = await fixture.cli('plugin', 'last', 'Breakdown', '--instance', INSTANCE, '--json')
    expect(JSON.parse(both.stdout)).toMatchObject({ok: true, nodes: [{status: 'ok'}, {status: 'ok'}]})

    // No node runs it: one line naming each node and its plugins, before anything is sent.
    const none = await fixture.cli('plugin', 'prune', 'Prunr', '--instance', INSTANCE)
    expect(none.code).toBe(2)
    // Nodes in presence order (by name).
    const runs = [
      ['w1', 'w1 runs Breakdown, Pruner'],
      [viewerNode, `${viewerNode} (viewer) runs Breakdown`],
    ].sort(([a], [b]) => (a! < b! ? -1 : 1))
    expect(none.stderr).toContain(
      `no node of instance "${INSTANCE}" runs plugin "Prunr" (did you mean "Pruner"?): ${runs.map(([, text]) => text).join('; ')}`,
    )
    const picked = await fixture.cli('plugin', 'pause', 'Pruner', '--instance', INSTANCE, '--node', viewerNode)
    expect(picked.code).toBe(2)
    expect(picked.stderr).toContain(
      `node ${viewerNode} of instance "${INSTANCE}" does not run plugin "Pruner"; it runs Breakdown`,
    )
    await stopBoth(worker, viewer)
  })
})
