import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'
import {formatStatus} from '../../../src/cli/format-status.js'
import type {ClusterNode} from '../../../src/operator/cluster-nodes.js'
import type {InstanceStatus, NodeStatus, ObanStatus, StatusReading} from '../../../src/operator/status.js'

// The pure formatter of `oban status`, at a fixed time: the exact plain text, the same cells in a
// box on a terminal, and colour only where it carries meaning.
const now = new Date('2024-05-01T12:00:00.000Z')
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString()
const plain = new Chalk({level: 0})
const colored = new Chalk({level: 1})

const node = (overrides: Partial<NodeStatus> = {}): NodeStatus => ({
  node: 'o1',
  leader: true,
  pid: 4242,
  hostname: 'host-a',
  role: 'node',
  notifier: 'postgres',
  connections: {pool: 3, poolSize: 10, notifier: 1, lease: 1},
  startedAt: ago(192),
  seenAt: ago(2),
  queues: [
    {queue: 'mailers', limit: 5, paused: true, running: 1},
    {queue: 'default', limit: 10, paused: false, running: 0},
  ],
  plugins: [
    {name: 'Pruner', status: 'running', restarts: 0, lastError: null, leaderOnly: true},
    {name: 'Crashy', status: 'failed', restarts: 1, lastError: 'Crashy cannot start', leaderOnly: false},
  ],
  ...overrides,
})

// The every-runtime list as readStatus builds it: the oban-ts nodes of each instance, and a
// leader without a presence row as an Elixir node, then `foreign` nodes.
const reading = (
  instances: InstanceStatus[],
  extra: Partial<StatusReading> = {},
  more: Partial<ObanStatus> & {foreign?: ClusterNode[]} = {},
): StatusReading => {
  const nodes: ClusterNode[] = instances.flatMap((i) => [
    ...i.nodes.map((n) => ({
      node: n.node,
      runtime: 'oban-ts' as const,
      instance: i.instance,
      leader: n.leader,
      role: n.role,
      pid: n.pid,
      hostname: n.hostname,
      startedAt: n.startedAt,
      seenAt: n.seenAt,
      seenIn: ['oban_ts_nodes' as const],
      queues: n.queues,
      ...(n.connections ? {connections: n.connections} : {}),
    })),
    ...(i.leader && !i.leader.obanTs && i.leader.runtime === 'elixir'
      ? [foreign({node: i.leader.node, instance: i.instance, leader: true, seenIn: ['oban_peers']})]
      : []),
  ])
  const {foreign: others = [], ...rest} = more
  return {
    status: {
      database: 'db.local:5432/app',
      prefix: 'public',
      instances,
      nodes: [...nodes, ...others].sort((a, b) =>
        a.instance === b.instance ? (a.node < b.node ? -1 : 1) : (a.instance ?? '~') < (b.instance ?? '~') ? -1 : 1,
      ),
      leaderConflicts: [],
      unrunnable: [],
      ...rest,
    },
    otherInstances: [],
    ...extra,
  }
}

const foreign = (overrides: Partial<ClusterNode>): ClusterNode => ({
  node: 'elixir-1',
  runtime: 'elixir',
  instance: null,
  leader: false,
  role: 'node',
  pid: null,
  hostname: null,
  startedAt: null,
  seenAt: null,
  seenIn: ['oban_sonar'],
  queues: null,
  ...overrides,
})

const lease = (name: string, obanTs: boolean) => ({
  node: name,
  obanTs,
  runtime: obanTs ? ('oban-ts' as const) : ('elixir' as const),
  table: 'oban_peers' as const,
  startedAt: ago(600),
  expiresAt: ago(-30),
})

describe('formatStatus', () => {
  it('prints a summary, then per instance its nodes, queues and plugins as plain columns', () => {
    const text = formatStatus(
      reading([
        {
          instance: 'Oban',
          leader: lease('o1', true),
          nodes: [
            node(),
            node({
              node: 'o2',
              leader: false,
              pid: 77,
              hostname: 'host-b',
              notifier: 'isolated',
              startedAt: ago(7200),
              seenAt: ago(0),
              queues: [{queue: 'default', limit: 10, paused: false, running: 4}],
              plugins: [],
            }),
          ],
        },
        {instance: 'MyApp.Oban', leader: lease('myapp@web-1', false), nodes: []},
        {instance: 'Quiet', leader: null, nodes: [node({leader: false, queues: [], plugins: []})]},
      ]),
      {tty: false, colors: plain, now},
    )
    expect(text).toBe(
      [
        '3 instances, 3 oban-ts nodes, 1 elixir node on db.local:5432/app (schema public)',
        '',
        'Instance Oban: 2 oban-ts nodes, leader o1',
        'NODE  RUNTIME  ROLE       PID  HOST    UP      SEEN    CONN',
        'o1    oban-ts  leader    4242  host-a  3m 12s  2s ago  3/10+2',
        'o2    oban-ts  follower    77  host-b  2h      now     3/10+2',
        'isolated notifier (hears no signals or calls from other processes): o2',
        '',
        'NODE  QUEUE    LIMIT  RUNNING  STATE',
        'o1    default     10        0  running',
        'o1    mailers      5        1  paused',
        'o2    default     10        4  running',
        '',
        'NODE  PLUGIN  STATE    RESTARTS  LAST ERROR',
        'o1    Pruner  running         0  -',
        'o1    Crashy  failed          1  Crashy cannot start',
        '',
        'Instance MyApp.Oban: 0 oban-ts nodes, 1 elixir node, leader myapp@web-1 (elixir)',
        'NODE         RUNTIME  ROLE    PID  HOST  UP  SEEN  CONN',
        'myapp@web-1  elixir   leader    -  -     -   -     -',
        '',
        'myapp@web-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
        '',
        'Instance Quiet: 1 oban-ts node, no leader',
        'NODE  RUNTIME  ROLE       PID  HOST    UP      SEEN    CONN',
        'o1    oban-ts  follower  4242  host-a  3m 12s  2s ago  3/10+2',
        '',
        'no queues',
        '',
        'no plugins',
      ].join('\n'),
    )
  })

  it('adds an Elixir leader to the nodes of a mixed instance, in name order', () => {
    const text = formatStatus(
      reading([{instance: 'Other', leader: lease('elixir@web-1', false), nodes: [node({node: 'w1', leader: false})]}]),
      {tty: false, colors: plain, now},
    )
    expect(text.split('\n').slice(2, 5)).toEqual([
      'Instance Other: 1 oban-ts node, 1 elixir node, leader elixir@web-1 (elixir)',
      'NODE          RUNTIME  ROLE       PID  HOST    UP      SEEN    CONN',
      'elixir@web-1  elixir   leader       -  -       -       -       -',
    ])
    expect(text.split('\n')[5]).toMatch(/^w1 +oban-ts +follower +4242 +host-a/)
  })

  it('calls a viewer node (oban breakdown) a viewer', () => {
    const viewer = node({node: 'v1', leader: false, role: 'viewer', queues: []})
    const text = formatStatus(reading([{instance: 'Oban', leader: lease('o1', true), nodes: [node(), viewer]}]), {
      tty: false,
      colors: plain,
      now,
    })
    expect(text).toMatch(/\nv1 +oban-ts +viewer +4242 +host-a/)
  })

  it('draws boxes on a terminal with the same cells, colouring state and role', () => {
    const text = formatStatus(reading([{instance: 'Oban', leader: lease('o1', true), nodes: [node()]}]), {
      tty: true,
      colors: colored,
      now,
    })
    expect(text).toContain(colored.bold('Instance Oban'))
    expect(text).toContain(colored.green('leader'))
    expect(text).toContain(colored.yellow('paused'))
    expect(text).toContain(colored.red('failed'))
    expect(text).toMatch(/┌.*┐/)
    expect(text).toMatch(/│ .*Crashy.* │ .*failed.* │ +1 │ Crashy cannot start │/)
  })

  it('cuts long last errors (--json has them whole)', () => {
    const long = `boom ${'x'.repeat(200)}`
    const text = formatStatus(
      reading([
        {
          instance: 'Oban',
          leader: null,
          nodes: [
            node({plugins: [{name: 'P', status: 'restarting', restarts: 3, lastError: long, leaderOnly: false}]}),
          ],
        },
      ]),
      {tty: false, colors: plain, now},
    )
    const row = text.split('\n').find((line) => line.startsWith('o1    P'))!
    expect(row).toMatch(/restarting +3 {2}boom x+…$/)
    expect(row.split('  ').at(-1)).toHaveLength(60)
  })

  it('says when nothing runs, or not the instance asked for (with the ones that do)', () => {
    const style = {tty: false, colors: plain, now}
    expect(formatStatus(reading([]), style)).toBe('no node is running against db.local:5432/app (schema public)')
    expect(formatStatus(reading([], {instance: 'Othr', otherInstances: ['Oban', 'Other']}), style)).toBe(
      'no node of instance Othr is running against db.local:5432/app (schema public) (did you mean "Other"?); running instances: Oban, Other',
    )
    expect(formatStatus(reading([], {instance: 'Nope'}), style)).toBe(
      'no node of instance Nope is running against db.local:5432/app (schema public)',
    )
  })

  it('lists Python and Elixir nodes with what they publish, two leaders, and jobs that can never run', () => {
    const python = foreign({
      node: 'py-1',
      runtime: 'python',
      instance: 'Oban',
      leader: true,
      startedAt: ago(60),
      seenAt: ago(5),
      seenIn: ['oban_producers', 'oban_leaders'],
      queues: [
        {queue: 'default', limit: 10, paused: false, running: 10},
        {queue: 'events', limit: 2, paused: true, running: 0},
      ],
    })
    const elixir = foreign({seenAt: ago(4)})
    const text = formatStatus(
      reading(
        [{instance: 'Oban', leader: lease('o1', true), nodes: [node({queues: [], plugins: []})]}],
        {},
        {
          foreign: [python, elixir],
          leaderConflicts: [
            {
              python: {instance: 'Oban', node: 'py-1', electedAt: ago(60), expiresAt: ago(-30)},
              peers: [{instance: 'Oban', node: 'o1'}],
              cost: 'both run Cron',
              fix: 'disable one',
            },
          ],
          unrunnable: [
            {queue: 'default', state: 'available', count: 2, ids: ['5', '7']},
            {queue: 'events', state: 'retryable', count: 1, ids: ['9']},
          ],
        },
      ),
      {tty: false, colors: plain, now},
    )
    expect(text).toBe(
      [
        '1 instance, 1 oban-ts node, 1 elixir node, 1 python node on db.local:5432/app (schema public)',
        '',
        'Instance Oban: 1 oban-ts node, 1 python node, leader o1',
        'NODE  RUNTIME  ROLE     PID  HOST    UP      SEEN    CONN',
        'o1    oban-ts  leader  4242  host-a  3m 12s  2s ago  3/10+2',
        'py-1  python   leader     -  -       1m      5s ago  -',
        '',
        'NODE  QUEUE    LIMIT  RUNNING  STATE',
        'py-1  default     10       10  running',
        'py-1  events       2        0  paused',
        '',
        'no plugins',
        '',
        'Instance unknown: 0 oban-ts nodes, 1 elixir node heard on public.oban_sonar (a ping names no instance)',
        'NODE      RUNTIME  ROLE      PID  HOST  UP  SEEN    CONN',
        'elixir-1  elixir   follower    -  -     -   4s ago  -',
        'elixir-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
        '',
        'Two leaders: Python Oban node py-1 (instance Oban) leads in oban_leaders while o1 (instance Oban) leads in oban_peers.',
        'Cost: both run Cron.',
        'Fix: disable one.',
        '',
        '3 jobs can never run (no attempt left: attempt >= max_attempts):',
        'QUEUE    STATE      JOBS  IDS',
        'default  available     2  5, 7',
        'events   retryable     1  9',
        '`oban job retry 5 7 9` gives them an attempt.',
      ].join('\n'),
    )
  })

  it('never says no node is running while a node of another runtime is alive', () => {
    const text = formatStatus(reading([], {}, {foreign: [foreign({seenAt: ago(1)})]}), {tty: false, colors: plain, now})
    expect(text).not.toMatch(/no node is running/)
    expect(text.split('\n')[0]).toBe('0 instances, 0 oban-ts nodes, 1 elixir node on db.local:5432/app (schema public)')
    expect(text).toMatch(/\nelixir-1 +elixir +follower/)
  })
})
