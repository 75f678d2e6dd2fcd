import {afterAll, describe, expect, it} from 'vitest'
import {Oban} from '../../../src/instance/oban.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {readCluster, type ClusterNode} from '../../../src/operator/cluster-nodes.js'
import {queueListing} from '../../../src/operator/queue-overview.js'
import {readStatus} from '../../../src/operator/status.js'
import {listSonarNodes} from '../../../src/engine/sonar-list.js'
import {
  electElixirLeader,
  electPythonLeader,
  elixirNode,
  installPythonTables,
  runOnPython,
  startPythonQueue,
} from '../../helpers/foreign-nodes.js'
import {insertJobRows} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {waitFor} from '../../helpers/wait.js'

// Every runtime's nodes as the operator views see them: an oban-ts node of this process (the
// library) records the sonar pings it hears; Elixir and Python nodes are played by raw SQL and
// NOTIFY (test/helpers/foreign-nodes.ts).
const {url, pool} = await migratedDatabase('cluster_nodes')
const stops: (() => void)[] = []
afterAll(() => stops.forEach((stop) => stop()))

const oban = new Oban(
  {databaseUrl: url, name: 'Oban', node: 'ts-1', queues: {default: 5}, plugins: []},
  createLogger({level: 'silent'}),
)
await oban.start({pollInterval: 50, sonarRecordInterval: 200})
afterAll(() => oban.stop())

const find = (nodes: ClusterNode[], node: string) => nodes.find((n) => n.node === node)

describe('every runtime on one database', () => {
  it('lists only the oban-ts node, and no foreign one, when Python Oban never ran (no tables of its own)', async () => {
    const {nodes, leaderConflicts} = await readCluster(pool, 'public')
    expect(nodes.map((n) => [n.node, n.runtime])).toEqual([['ts-1', 'oban-ts']])
    expect(leaderConflicts).toEqual([])
  })

  it('records the sonar pings a running oban-ts node hears, its own marked oban-ts', async () => {
    stops.push(elixirNode(pool, 'elixir-1'))
    const heard = await waitFor(
      async () => {
        const rows = await listSonarNodes(pool, 'public')
        return rows.some((r) => r.node === 'elixir-1') && rows.some((r) => r.node === 'ts-1') ? rows : undefined
      },
      {timeoutMs: 30_000, message: 'the pings of elixir-1 and ts-1 to be recorded'},
    )
    expect(heard.map((r) => [r.node, r.runtime])).toEqual([
      ['elixir-1', null],
      ['ts-1', 'oban-ts'],
    ])
    const {nodes} = await readCluster(pool, 'public')
    expect(find(nodes, 'elixir-1')).toMatchObject({
      runtime: 'elixir',
      instance: null,
      leader: false,
      queues: null,
      seenIn: ['oban_sonar'],
    })
    expect(nodes.filter((n) => n.node === 'ts-1')).toHaveLength(1)
  })

  it('places an Elixir leader in its instance, and lists Python nodes with their queues and running jobs', async () => {
    stops.push(elixirNode(pool, 'elixir-2'))
    await electElixirLeader(pool, 'MyApp.Oban', 'elixir-2')
    await installPythonTables(pool)
    const uuid = await startPythonQueue(pool, {node: 'py-1', queue: 'default', limit: 10})
    await startPythonQueue(pool, {node: 'py-1', queue: 'events', limit: 2, paused: true})
    await runOnPython(pool, {node: 'py-1', uuid, queue: 'default'}, 3)
    // Another Python node's queue that stopped refreshing 2 minutes ago: gone (Python's max_age is 60 s).
    const stale = await startPythonQueue(pool, {node: 'py-gone', queue: 'default', limit: 1})
    await pool.query(
      `UPDATE oban_producers SET updated_at = timezone('UTC', now()) - interval '2 minutes' WHERE uuid = $1`,
      [stale],
    )
    await waitFor(async () => find((await readCluster(pool, 'public')).nodes, 'elixir-2')?.seenAt, {
      timeoutMs: 30_000,
      message: 'the pings of elixir-2 to be recorded',
    })

    const {nodes, leaderConflicts} = await readCluster(pool, 'public')
    expect(nodes.map((n) => [n.instance, n.node, n.runtime, n.leader])).toEqual([
      ['MyApp.Oban', 'elixir-2', 'elixir', true],
      ['Oban', 'py-1', 'python', false],
      ['Oban', 'ts-1', 'oban-ts', true],
      [null, 'elixir-1', 'elixir', false],
    ])
    expect(find(nodes, 'elixir-2')!.seenIn).toEqual(['oban_peers', 'oban_sonar'])
    expect(find(nodes, 'py-1')).toMatchObject({
      seenIn: ['oban_producers'],
      pid: null,
      queues: [
        {queue: 'default', limit: 10, paused: false, running: 3},
        {queue: 'events', limit: 2, paused: true, running: 0},
      ],
    })
    expect(leaderConflicts).toEqual([])

    const listing = await queueListing(pool, 'public')
    const events = listing.queues.find((q) => q.queue === 'events')!
    expect(events).toMatchObject({available: 0, executing: 0})
    expect(events.nodes).toEqual([
      {instance: 'Oban', node: 'py-1', runtime: 'python', limit: 2, running: 0, paused: true},
    ])
    expect(listing.queues.find((q) => q.queue === 'default')!.nodes.map((n) => [n.node, n.running])).toEqual([
      ['py-1', 3],
      ['ts-1', 0],
    ])
    expect(listing.opaqueNodes.map((n) => n.node)).toEqual(['elixir-2', 'elixir-1'])
  })

  it('names two leaders when a Python leader holds oban_leaders beside an oban_peers leader', async () => {
    await electPythonLeader(pool, 'py-1')
    const {nodes, leaderConflicts} = await readCluster(pool, 'public')
    expect(find(nodes, 'py-1')).toMatchObject({leader: true, seenIn: ['oban_producers', 'oban_leaders']})
    const time = expect.any(String) as string
    expect(leaderConflicts).toEqual([
      {
        python: {instance: 'Oban', node: 'py-1', electedAt: time, expiresAt: time},
        peers: [
          {instance: 'MyApp.Oban', node: 'elixir-2'},
          {instance: 'Oban', node: 'ts-1'},
        ],
        cost: expect.stringMatching(/Cron, Pruner and Lifeline/) as string,
        fix: expect.stringMatching(/leadership=False/) as string,
      },
    ])
    const {status} = await readStatus(pool, {location: 'here'})
    expect(status.leaderConflicts).toEqual(leaderConflicts)
    expect(status.instances.find((i) => i.instance === 'Oban')!.leader).toMatchObject({
      node: 'ts-1',
      runtime: 'oban-ts',
    })
  })

  it('counts and names the jobs that can never run, per queue and state', async () => {
    const ids = await insertJobRows(pool, [
      {queue: 'default', state: 'available', attempt: 3, maxAttempts: 3},
      {queue: 'mailers', state: 'retryable', attempt: 1, maxAttempts: 1, scheduledIn: 60},
      {queue: 'mailers', state: 'available', attempt: 0, maxAttempts: 3, scheduledIn: 3600},
    ])
    const {status} = await readStatus(pool, {location: 'here'})
    expect(status.unrunnable).toEqual([
      {queue: 'default', state: 'available', count: 1, ids: [ids[0]]},
      {queue: 'mailers', state: 'retryable', count: 1, ids: [ids[1]]},
    ])
    const listing = await queueListing(pool, 'public')
    expect(listing.queues.find((q) => q.queue === 'mailers')!.unrunnable).toEqual([
      {state: 'retryable', count: 1, ids: [ids[1]]},
    ])
  })
})
