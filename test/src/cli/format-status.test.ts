import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'
import {formatStatus} from '../../../src/cli/format-status.js'
import type {InstanceStatus, NodeStatus, StatusReading} from '../../../src/operator/status.js'

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

const reading = (instances: InstanceStatus[], extra: Partial<StatusReading> = {}): StatusReading => ({
  status: {database: 'db.local:5432/app', prefix: 'public', instances},
  otherInstances: [],
  ...extra,
})

const lease = (name: string, obanTs: boolean) => ({
  node: name,
  obanTs,
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
        '3 instances, 3 oban-ts nodes on db.local:5432/app (schema public)',
        '',
        'Instance Oban: 2 oban-ts nodes, leader o1',
        'NODE  ROLE       PID  HOST    UP      SEEN    CONN',
        'o1    leader    4242  host-a  3m 12s  2s ago  3/10+2',
        'o2    follower    77  host-b  2h      now     3/10+2',
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
        'Instance MyApp.Oban: no oban-ts node, leader myapp@web-1 (not oban-ts)',
        'NODE         ROLE                 PID  HOST  UP  SEEN  CONN',
        'myapp@web-1  leader, not oban-ts    -  -     -   -     -',
        '',
        'Instance Quiet: 1 oban-ts node, no leader',
        'NODE  ROLE       PID  HOST    UP      SEEN    CONN',
        'o1    follower  4242  host-a  3m 12s  2s ago  3/10+2',
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
      'Instance Other: 1 oban-ts node, leader elixir@web-1 (not oban-ts)',
      'NODE          ROLE                  PID  HOST    UP      SEEN    CONN',
      'elixir@web-1  leader, not oban-ts     -  -       -       -       -',
    ])
    expect(text.split('\n')[5]).toMatch(/^w1 +follower +4242 +host-a/)
  })

  it('calls a viewer node (oban breakdown) a viewer', () => {
    const viewer = node({node: 'v1', leader: false, role: 'viewer', queues: []})
    const text = formatStatus(reading([{instance: 'Oban', leader: lease('o1', true), nodes: [node(), viewer]}]), {
      tty: false,
      colors: plain,
      now,
    })
    expect(text).toMatch(/\nv1 +viewer +4242 +host-a/)
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
})
