import {hostname} from 'node:os'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import Status from '../../commands/status.js'
import type {ObanStatus} from '../../src/operator/status.js'
import {exampleArgv, exitOf, plainCells, runArgv, takeExitCode} from '../helpers/command-examples.js'
import {startNodeFixture} from '../helpers/node-fixture.js'

// `oban status` and its alias `oban nodes` through oclif, against two instances running in this
// process, a node of another process, an Elixir leader and an Elixir-only instance (see
// startNodeFixture).
const root = fileURLToPath(new URL('../..', import.meta.url))
const {url, location} = await startNodeFixture('cmd_status')
const oban = (...argv: string[]) => runArgv(root, [...argv, '--database-url', url])
const me = [String(process.pid), hostname()]
// A live node's connections (open pool connections vary with timing): pool/size+own sessions.
const conn = expect.stringMatching(/^\d+\/\d+\+[0-2]$/) as string

describe('oban status', () => {
  it('shows every instance, its leader, nodes, queues and plugins as plain columns', async () => {
    const {stdout, stderr, error} = await oban('status')
    expect(error).toBeUndefined()
    expect(stderr).toBe('')
    expect(plainCells(stdout)).toEqual([
      [`3 instances, 3 oban-ts nodes, 2 elixir nodes on ${location} (schema public)`],
      [''],
      ['Instance MyApp.Oban: 0 oban-ts nodes, 1 elixir node, leader myapp@web-1 (elixir)'],
      ['NODE', 'RUNTIME', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN', 'CONN'],
      ['myapp@web-1', 'elixir', 'leader', '-', '-', '-', '-', '-'],
      [''],
      [
        'myapp@web-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
      ],
      [''],
      ['Instance Oban: 2 oban-ts nodes, leader o1'],
      ['NODE', 'RUNTIME', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN', 'CONN'],
      ['o1', 'oban-ts', 'leader', ...me, '<t>', '<t>', conn],
      ['o2', 'oban-ts', 'follower', '999999', 'host-b', '<t>', '<t>', '-'],
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
      ['Instance Other: 1 oban-ts node, 1 elixir node, leader elixir@web-1 (elixir)'],
      ['NODE', 'RUNTIME', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN', 'CONN'],
      ['elixir@web-1', 'elixir', 'leader', '-', '-', '-', '-', '-'],
      ['w1', 'oban-ts', 'follower', ...me, '<t>', '<t>', conn],
      [''],
      ['NODE', 'QUEUE', 'LIMIT', 'RUNNING', 'STATE'],
      ['w1', 'default', '1', '0', 'running'],
      ['w1', 'events', '2', '0', 'running'],
      [
        'elixir@web-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
      ],
      [''],
      ['NODE', 'PLUGIN', 'STATE', 'RESTARTS', 'LAST ERROR'],
      ['w1', 'Breakdown', 'paused', '0', '-'],
    ])
  })

  it('returns the documented shape with --json', async () => {
    const {stdout, result} = await oban('status', '--json')
    expect(JSON.parse(stdout)).toEqual(result)
    const time = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string
    const lease = (node: string, obanTs: boolean) => ({
      node,
      obanTs,
      runtime: obanTs ? ('oban-ts' as const) : ('elixir' as const),
      table: 'oban_peers' as const,
      startedAt: time,
      expiresAt: time,
    })
    const elixir = (instance: string, node: string) => ({
      node,
      runtime: 'elixir',
      instance,
      leader: true,
      role: 'node',
      pid: null,
      hostname: null,
      startedAt: null,
      seenAt: null,
      seenIn: ['oban_peers'],
      queues: null,
    })
    const obanTs = (instance: string, node: string, leader: boolean, extra: Record<string, unknown>) => ({
      node,
      runtime: 'oban-ts',
      instance,
      leader,
      role: 'node',
      pid: process.pid,
      hostname: hostname(),
      startedAt: time,
      seenAt: time,
      seenIn: ['oban_ts_nodes'],
      ...extra,
    })
    const node = {
      pid: process.pid,
      hostname: hostname(),
      role: 'node' as const,
      notifier: 'postgres' as const,
      connections: {pool: expect.any(Number) as number, poolSize: 10, notifier: 1, lease: expect.any(Number) as number},
      startedAt: time,
      seenAt: time,
    }
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
              role: 'node',
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
      nodes: [
        elixir('MyApp.Oban', 'myapp@web-1'),
        obanTs('Oban', 'o1', true, {
          connections: node.connections,
          queues: [
            {queue: 'default', limit: 3, paused: false, running: 0},
            {queue: 'mailers', limit: 2, paused: true, running: 1},
          ],
        }),
        obanTs('Oban', 'o2', false, {
          pid: 999_999,
          hostname: 'host-b',
          queues: [{queue: 'default', limit: 10, paused: false, running: 4}],
        }),
        elixir('Other', 'elixir@web-1'),
        obanTs('Other', 'w1', false, {
          connections: node.connections,
          queues: [
            {queue: 'default', limit: 1, paused: false, running: 0},
            {queue: 'events', limit: 2, paused: false, running: 0},
          ],
        }),
      ],
      leaderConflicts: [],
      unrunnable: [],
    })
    const o2 = (result as ObanStatus).instances[1]!.nodes[1]!
    expect(Date.now() - Date.parse(o2.startedAt)).toBeGreaterThanOrEqual(3_600_000 - 5_000)
  })

  it('shows one instance with --instance, and says so when it is not there (exit 0)', async () => {
    const other = await oban('status', '--instance', 'Other')
    expect(other.stdout.split('\n').slice(0, 3)).toEqual([
      `1 instance, 1 oban-ts node, 1 elixir node on ${location} (schema public)`,
      '',
      'Instance Other: 1 oban-ts node, 1 elixir node, leader elixir@web-1 (elixir)',
    ])
    const json = await oban('status', '--instance', 'Other', '--json')
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
      nodes: [],
      leaderConflicts: [],
      unrunnable: [],
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

describe('the examples in --help', () => {
  it('oban status: every example runs against running nodes', async () => {
    expect(Status.examples.length).toBeGreaterThan(0)
    for (const example of Status.examples) {
      const argv = [...exampleArgv('status', example), '--database-url', url]
      const {error, stdout} = await runArgv(root, argv)
      expect(error, example).toBeUndefined()
      if (argv.includes('--json')) expect(() => JSON.parse(stdout) as unknown, example).not.toThrow()
      else expect(stdout.length, example).toBeGreaterThan(0)
    }
  })
})
