import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {createFixture, createRunsTable, insertJobs, resetTables, sleeper, spawnOban} from '../helpers/e2e.js'
import {eventually, insertRaw, migratedDatabase} from '../helpers/oban-db.js'
import {hasTmux, tmuxTerminal} from '../helpers/tmux.js'

const {url, pool} = await migratedDatabase('e2e_processes')
const fixture = createFixture(url)
const terminal = tmuxTerminal()
beforeAll(() => createRunsTable(pool))
beforeEach(() => resetTables(pool))

interface StatusNode {
  node: string
  pid: number
  role?: string
}

/** The live worker nodes of an instance as `oban status --json` lists them (presence rows). */
async function liveNodes(instance = 'Multi'): Promise<StatusNode[]> {
  const {code, stdout} = await fixture.cli('status', '--json', '--instance', instance)
  if (code !== 0) return []
  const status = JSON.parse(stdout) as {instances: {nodes: StatusNode[]}[]}
  return (status.instances[0]?.nodes ?? [])
    .filter((n) => n.role === 'node')
    .map(({node, pid}) => ({node, pid}))
    .sort((a, b) => a.node.localeCompare(b.node))
}

const jobStates = async (ids: string[]) =>
  (await pool.query<{state: string}>('SELECT state FROM oban_jobs WHERE id = ANY($1) ORDER BY id', [ids])).rows.map(
    (r) => r.state,
  )

describe('oban start --processes', {timeout: 180_000}, () => {
  it('runs N named nodes, restarts one that is killed, and stops all of them on one SIGTERM', async () => {
    const config = fixture.config({queues: {default: 3}, shutdownGracePeriod: '30s'})
    const supervisor = spawnOban(
      [
        'start',
        '--database-url',
        url,
        '--config',
        config,
        '--instance',
        'Multi',
        '--node',
        'multi',
        '--processes',
        '2',
      ],
      {cwd: fixture.dir, env: {E2E_DATABASE_URL: url}},
    )
    await supervisor.waitFor(/is running 2 processes \(nodes multi-1, multi-2\)/)
    let nodes: StatusNode[] = []
    await eventually(async () => (nodes = await liveNodes()).length === 2, 60_000, 'two presence rows')
    expect(nodes.map((n) => n.node)).toEqual(['multi-1', 'multi-2'])
    expect(nodes[0]!.pid).not.toBe(nodes[1]!.pid)
    expect(nodes.map((n) => n.pid)).not.toContain(supervisor.child.pid)

    // A crash: the supervisor starts multi-2 again, a new process under the same name.
    process.kill(nodes[1]!.pid, 'SIGKILL')
    await supervisor.waitFor(/\[multi-2\] exited \(killed by SIGKILL\) while running/, {stream: 'stderr'})
    await supervisor.waitFor(/\[multi-2\] restarting in 1\.0 s/, {stream: 'stderr'})
    let restarted: StatusNode | undefined
    await eventually(
      async () =>
        (restarted = (await liveNodes()).find((n) => n.node === 'multi-2' && n.pid !== nodes[1]!.pid)) !== undefined,
      60_000,
      'multi-2 back with a new pid',
    )
    // Wait for the restarted node to run its queue before giving both work.
    await supervisor.waitFor(/\[multi-2\][^\n]*is running on[\s\S]*\[multi-2\][^\n]*is running on/)

    const jobs = await insertJobs(
      pool,
      Array.from({length: 6}, () => sleeper({ms: 1_500})),
    )
    const ids = jobs.map((j) => j.id)
    await eventually(
      async () => (await jobStates(ids)).filter((s) => s === 'executing').length >= 2,
      60_000,
      'jobs executing',
    )
    supervisor.signal('SIGTERM')
    expect(await supervisor.exited).toEqual({code: 0, signal: null})
    expect(supervisor.stdout()).toMatch(/SIGTERM: stopping 2 processes\.\.\./)
    expect(supervisor.stdout()).toMatch(/\[multi-1\] Stopped\./)
    expect(supervisor.stdout()).toMatch(/\[multi-2\] Stopped\./)
    expect(supervisor.stdout()).toMatch(/\nStopped\.\n$/)
    // Each node drained: nothing it fetched is left executing.
    expect((await jobStates(ids)).filter((s) => s === 'executing')).toEqual([])
    const ran = await pool.query<{node: string}>('SELECT DISTINCT node FROM runs ORDER BY node')
    expect(ran.rows.length).toBeGreaterThan(0)
    for (const {node} of ran.rows) expect(['multi-1', 'multi-2']).toContain(node)
    // No child outlives the supervisor.
    for (const pid of [nodes[0]!.pid, restarted!.pid]) expect(() => process.kill(pid, 0)).toThrow()
  })

  it('refuses a bad --processes with one line, exit 2, starting nothing', async () => {
    const {code, stderr} = await fixture.cli('start', '--processes', 'many')
    expect(code).toBe(2)
    expect(stderr.trim()).toBe(
      'Error: --processes many: give a number of processes from 1 to 256, or auto (one per core)',
    )
  })
})

describe.skipIf(!hasTmux)('oban start --processes in a terminal', {timeout: 180_000}, () => {
  it('shows one live table of the whole instance, not one per process, and q stops every process', async () => {
    const config = fixture.config({queues: {live: 2}, plugins: [['Breakdown', {interval: '500ms'}]]})
    const pane = terminal.oban(
      'processes',
      ['start', '--database-url', url, '--config', config, '--instance', 'Live', '--node', 'live', '--processes', '2'],
      {cwd: fixture.dir, env: {E2E_DATABASE_URL: url}},
    )
    await pane.waitFor(/Breakdown · Live · node \S+/)
    await eventually(async () => (await liveNodes('Live')).length === 2, 60_000, 'two worker nodes')
    await insertRaw(pool, [{queue: 'elsewhere'}, {queue: 'elsewhere'}, {queue: 'elsewhere'}])
    await pane.waitFor(/│ elsewhere +│ available +│ +3 │/)
    // One table: the children's own (plain) tables are not printed.
    expect(pane.screen().match(/Breakdown of Live/g)).toBeNull()
    expect(pane.screen().match(/Breakdown · Live/g)).toHaveLength(1)
    pane.keys('q')
    await pane.waitFor(/EXIT=0/, 60_000)
    const history = pane.history()
    expect(history).toMatch(/SIGINT: stopping 2 processes\.\.\./)
    expect(history).toMatch(/\nStopped\.\n/)
    expect(await liveNodes('Live')).toEqual([])
  })
})
