import {hostname} from 'node:os'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import QueueList from '../../commands/queue/list.js'
import Status from '../../commands/status.js'
import {Breakdown} from '../../plugins/breakdown/index.js'
import {listNodes} from '../../src/control/nodes.js'
import {migrateUp} from '../../src/db/migrations/index.js'
import {definePlugin} from '../../src/define-plugin.js'
import {upsertPresence} from '../../src/engine/presence-upsert.js'
import {createLogger} from '../../src/logger.js'
import {Oban} from '../../src/oban.js'
import {PluginBase} from '../../src/plugin-base.js'
import {pluginHandles} from '../../src/plugin-lookup.js'
import type {ObanStatus} from '../../src/status.js'
import {defineWorker} from '../../src/worker.js'
import {exampleArgv, exitOf, plainCells, runArgv, takeExitCode} from '../helpers/command-examples.js'
import {insertJobRows} from '../helpers/job-rows.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'

// `oban status` / `oban nodes` and the NODES of `oban queue list`, through oclif, against real
// instances running in this process (the commands reach them through the database only):
//  - Oban.o1 (leader): queues default:3 and mailers:2, mailers paused while one job runs on it,
//    and a plugin that crashes past the restart limit (failed);
//  - Oban.o2: a node of the same instance in another process, as its presence row (one process
//    runs one node per instance name), with an isolated notifier;
//  - Other.w1: queues default:1 and events:2, its Breakdown paused, led by an Elixir node
//    (an oban_peers row with no presence row);
//  - MyApp.Oban: only an oban_peers row (an Elixir-only instance).

const root = fileURLToPath(new URL('../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_status')
const location = `${new URL(url).host}${new URL(url).pathname}`
const instances: Oban[] = []
let release: () => void = () => {}
const gate = new Promise<void>((resolve) => (release = resolve))

const Gated = defineWorker({name: 'Test.Gated', perform: () => gate})

// Crashes shortly after each start: with maxRestarts 1 the second crash leaves it failed.
const Crashy = definePlugin({
  name: 'Crashy',
  create: (context) =>
    new (class extends PluginBase {
      override start(): void {
        void this.run(async () => {
          await this.sleep(5)
          throw new Error('Crashy lost its connection')
        })
      }
    })(context, undefined),
})

async function start(name: string, node: string, options: Record<string, unknown>): Promise<Oban> {
  const oban = new Oban(
    {databaseUrl: url, name, node, stager: {interval: 100}, ...options},
    createLogger({level: 'silent'}),
  )
  instances.push(oban)
  await oban.start({pollInterval: 50})
  return oban
}

const leaseFor = (name: string, node: string) =>
  pool.query(
    `INSERT INTO oban_peers (name, node, started_at, expires_at)
     VALUES ($1, $2, timezone('UTC', now()), timezone('UTC', now()) + interval '1 hour')`,
    [name, node],
  )

beforeAll(async () => {
  await migrateUp(pool, {prefix: 'jobs'})
  await leaseFor('MyApp.Oban', 'myapp@web-1')
  await leaseFor('Other', 'elixir@web-1')
  const oban = await start('Oban', 'o1', {
    queues: {default: 3, mailers: 2},
    workers: [Gated],
    plugins: [Crashy],
    pluginSupervision: {maxRestarts: 1, backoff: 1},
  })
  await start('Other', 'w1', {queues: {default: 1, events: 2}, plugins: [[Breakdown, {interval: '1s'}]]})
  await pluginHandles('Other')
    .find((h) => h.pluginName === 'Breakdown')!
    .call('pause')
  await upsertPresence(pool, 'public', {
    instance: 'Oban',
    node: 'o2',
    pid: 999_999,
    hostname: 'host-b',
    startedAt: new Date(Date.now() - 3_600_000),
    ttlMs: 3_600_000,
    plugins: [],
    queues: [{queue: 'default', limit: 10, paused: false, running: 4}],
    meta: {leader: false, notifier: 'isolated'},
  })
  await insertJobRows(pool, [{queue: 'legacy', state: 'available', worker: 'MyApp.Legacy', scheduledIn: -30}])
  await oban.insert({worker: 'Test.Gated', queue: 'mailers'})
  await eventually(() => oban.checkQueue('mailers')?.running.length === 1, 10_000, 'the gated job to run')
  await oban.pauseQueue({queue: 'mailers', localOnly: true})
  // Presence rewrites a node's row within a second of a change (pause, plugin failure).
  await eventually(
    async () => {
      const [o1] = await listNodes(pool, {instance: 'Oban'})
      const w1 = (await listNodes(pool, {instance: 'Other'}))[0]
      return (
        o1?.queues.find((q) => q.queue === 'mailers')?.paused === true &&
        o1.queues.find((q) => q.queue === 'mailers')?.running === 1 &&
        o1.plugins.find((p) => p.name === 'Crashy')?.status === 'failed' &&
        w1?.plugins.find((p) => p.name === 'Breakdown')?.status === 'paused'
      )
    },
    15_000,
    'the presence rows to show the paused queue and the failed plugin',
  )
})

afterAll(async () => {
  release()
  await Promise.all(instances.map((o) => o.stop()))
})

const oban = (...argv: string[]) => runArgv(root, [...argv, '--database-url', url])
const me = [String(process.pid), hostname()]

describe('oban status', () => {
  it('shows every instance, its leader, nodes, queues and plugins as plain columns', async () => {
    const {stdout, stderr, error} = await oban('status')
    expect(error).toBeUndefined()
    expect(stderr).toBe('')
    expect(plainCells(stdout)).toEqual([
      [`3 instances, 3 oban-ts nodes on ${location} (schema public)`],
      [''],
      ['Instance MyApp.Oban: no oban-ts node, leader myapp@web-1 (not oban-ts)'],
      ['NODE', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN'],
      ['myapp@web-1', 'leader, not oban-ts', '-', '-', '-', '-'],
      [''],
      ['Instance Oban: 2 oban-ts nodes, leader o1'],
      ['NODE', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN'],
      ['o1', 'leader', ...me, '<t>', '<t>'],
      ['o2', 'follower', '999999', 'host-b', '<t>', '<t>'],
      ['isolated notifier (hears no signals or calls from other processes): o2'],
      [''],
      ['NODE', 'QUEUE', 'LIMIT', 'RUNNING', 'STATE'],
      ['o1', 'default', '3', '0', 'running'],
      ['o1', 'mailers', '2', '1', 'paused'],
      ['o2', 'default', '10', '4', 'running'],
      [''],
      ['NODE', 'PLUGIN', 'STATE', 'RESTARTS', 'LAST ERROR'],
      ['o1', 'Crashy', 'failed', '1', 'Crashy lost its connection'],
      [''],
      ['Instance Other: 1 oban-ts node, leader elixir@web-1 (not oban-ts)'],
      ['NODE', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN'],
      ['elixir@web-1', 'leader, not oban-ts', '-', '-', '-', '-'],
      ['w1', 'follower', ...me, '<t>', '<t>'],
      [''],
      ['NODE', 'QUEUE', 'LIMIT', 'RUNNING', 'STATE'],
      ['w1', 'default', '1', '0', 'running'],
      ['w1', 'events', '2', '0', 'running'],
      [''],
      ['NODE', 'PLUGIN', 'STATE', 'RESTARTS', 'LAST ERROR'],
      ['w1', 'Breakdown', 'paused', '0', '-'],
    ])
  })

  it('returns the documented shape with --json', async () => {
    const {stdout, result} = await oban('status', '--json')
    expect(JSON.parse(stdout)).toEqual(result)
    const time = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string
    const lease = (node: string, obanTs: boolean) => ({node, obanTs, startedAt: time, expiresAt: time})
    const node = {pid: process.pid, hostname: hostname(), notifier: 'postgres' as const, startedAt: time, seenAt: time}
    expect(result).toEqual({
      database: location,
      prefix: 'public',
      instances: [
        {instance: 'MyApp.Oban', leader: lease('myapp@web-1', false), nodes: []},
        {
          instance: 'Oban',
          leader: lease('o1', true),
          nodes: [
            {
              node: 'o1',
              leader: true,
              ...node,
              queues: [
                {queue: 'default', limit: 3, paused: false, running: 0},
                {queue: 'mailers', limit: 2, paused: true, running: 1},
              ],
              plugins: [
                {
                  name: 'Crashy',
                  status: 'failed',
                  restarts: 1,
                  lastError: 'Crashy lost its connection',
                  leaderOnly: false,
                },
              ],
            },
            {
              node: 'o2',
              leader: false,
              pid: 999_999,
              hostname: 'host-b',
              notifier: 'isolated',
              startedAt: time,
              seenAt: time,
              queues: [{queue: 'default', limit: 10, paused: false, running: 4}],
              plugins: [],
            },
          ],
        },
        {
          instance: 'Other',
          leader: lease('elixir@web-1', false),
          nodes: [
            {
              node: 'w1',
              leader: false,
              ...node,
              queues: [
                {queue: 'default', limit: 1, paused: false, running: 0},
                {queue: 'events', limit: 2, paused: false, running: 0},
              ],
              plugins: [{name: 'Breakdown', status: 'paused', restarts: 0, lastError: null, leaderOnly: false}],
            },
          ],
        },
      ],
    } satisfies ObanStatus)
    const o2 = (result as ObanStatus).instances[1]!.nodes[1]!
    expect(Date.now() - Date.parse(o2.startedAt)).toBeGreaterThanOrEqual(3_600_000 - 5_000)
  })

  it('answers to oban nodes too', async () => {
    const status = await oban('status')
    const nodes = await oban('nodes')
    expect(nodes.error).toBeUndefined()
    expect(plainCells(nodes.stdout)).toEqual(plainCells(status.stdout))
    expect(Status.aliases).toEqual(['nodes'])
  })

  it('shows one instance with --instance, and says so when it is not there (exit 0)', async () => {
    const other = await oban('status', '--instance', 'Other')
    expect(other.stdout.split('\n').slice(0, 3)).toEqual([
      `1 instance, 1 oban-ts node on ${location} (schema public)`,
      '',
      'Instance Other: 1 oban-ts node, leader elixir@web-1 (not oban-ts)',
    ])
    const json = await oban('nodes', '--instance', 'Other', '--json')
    expect((json.result as ObanStatus).instances.map((i) => i.instance)).toEqual(['Other'])

    takeExitCode()
    const missing = await oban('status', '--instance', 'Othr')
    expect(missing.error).toBeUndefined()
    expect(takeExitCode()).toBeUndefined()
    expect(missing.stdout).toBe(
      `no node of instance Othr is running against ${location} (schema public) (did you mean "Other"?); running instances: MyApp.Oban, Oban, Other\n`,
    )
    expect((await oban('status', '--instance', 'Othr', '--json')).result).toEqual({
      database: location,
      prefix: 'public',
      instances: [],
    })
  })

  it('says when nothing runs on a schema (exit 0), and fails clearly without Oban’s tables', async () => {
    const empty = await oban('status', '--prefix', 'jobs')
    expect(empty.error).toBeUndefined()
    expect(empty.stdout).toBe(`no node is running against ${location} (schema jobs)\n`)
    const {error} = await oban('status', '--prefix', 'nowhere')
    expect(error?.message).toMatch(/^the Oban tables are not installed in schema "nowhere"/)
    expect(exitOf(error)).toBe(1)
    const json = await oban('status', '--prefix', 'nowhere', '--json')
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'schema_not_migrated'}})
    expect(takeExitCode()).toBe(1)
  })
})

describe('oban queue list with nodes', () => {
  it('adds the nodes running each queue, and the queues that only run on nodes', async () => {
    const {stdout, error} = await oban('queue', 'list')
    expect(error).toBeUndefined()
    expect(plainCells(stdout)).toEqual([
      ['QUEUE', 'AVAILABLE', 'SCHEDULED', 'EXECUTING', 'RETRYABLE', 'LATENCY', 'NODES'],
      ['default', '0', '0', '0', '0', '-', '3 nodes · limit 14 · 4 running'],
      ['events', '0', '0', '0', '0', '-', '1 node · limit 2 · 0 running'],
      ['legacy', '1', '0', '0', '0', '<t>', '-'],
      ['mailers', '0', '0', '1', '0', '-', '1 node · limit 2 · 1 running · 1 paused'],
    ])
  })

  it('returns the nodes per queue with --json, and only one instance’s with --instance', async () => {
    const {stdout, result} = await oban('queue', 'list', '--json')
    expect(JSON.parse(stdout)).toEqual(result)
    const nodesOf = (queues: unknown) =>
      Object.fromEntries((queues as {queue: string; nodes: unknown[]}[]).map((q) => [q.queue, q.nodes]))
    expect(nodesOf(result)).toEqual({
      default: [
        {instance: 'Oban', node: 'o1', limit: 3, running: 0, paused: false},
        {instance: 'Oban', node: 'o2', limit: 10, running: 4, paused: false},
        {instance: 'Other', node: 'w1', limit: 1, running: 0, paused: false},
      ],
      events: [{instance: 'Other', node: 'w1', limit: 2, running: 0, paused: false}],
      legacy: [],
      mailers: [{instance: 'Oban', node: 'o1', limit: 2, running: 1, paused: true}],
    })
    expect((result as Record<string, unknown>[])[0]).toEqual({
      queue: 'default',
      available: 0,
      scheduled: 0,
      executing: 0,
      retryable: 0,
      oldestAvailableAt: null,
      latencyMs: null,
      nodes: expect.any(Array) as unknown[],
    })

    const other = await oban('queue', 'list', '--instance', 'Other', '--json')
    expect(nodesOf(other.result)).toEqual({
      default: [{instance: 'Other', node: 'w1', limit: 1, running: 0, paused: false}],
      events: [{instance: 'Other', node: 'w1', limit: 2, running: 0, paused: false}],
      legacy: [],
      mailers: [],
    })
    const text = await oban('queue', 'list', '--instance', 'Other')
    expect(plainCells(text.stdout).map((cells) => [cells[0], cells.at(-1)])).toEqual([
      ['QUEUE', 'NODES'],
      ['default', '1 node · limit 1 · 0 running'],
      ['events', '1 node · limit 2 · 0 running'],
      ['legacy', '-'],
      ['mailers', '-'],
    ])
  })
})

describe('the examples in --help', () => {
  for (const [id, command] of [
    ['status', Status],
    ['queue list', QueueList],
  ] as const) {
    it(`oban ${id}: every example runs against running nodes`, async () => {
      const examples = command.examples
      expect(examples.length).toBeGreaterThan(0)
      for (const example of examples) {
        const argv = [...exampleArgv(id, example), '--database-url', url]
        const {error, stdout} = await runArgv(root, argv)
        expect(error, example).toBeUndefined()
        if (argv.includes('--json')) expect(() => JSON.parse(stdout) as unknown, example).not.toThrow()
        else expect(stdout.length, example).toBeGreaterThan(0)
      }
    })
  }
})
