import {PassThrough} from 'node:stream'
import {stripVTControlCharacters} from 'node:util'
import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'
import {outputColors} from '../../../src/cli/colors.js'
import {askYesNo, canPrompt} from '../../../src/cli/confirm.js'
import {formatJobDetail, formatJobList} from '../../../src/cli/format-jobs.js'
import {confirmQuestion, formatActionResult} from '../../../src/cli/format-ops.js'
import {describeQueueNodes, formatQueues} from '../../../src/cli/format-queues.js'
import {exactTime, relativeTime, shortDuration} from '../../../src/cli/format-time.js'
import {progressLine} from '../../../src/cli/progress.js'
import {renderTable, truncate} from '../../../src/cli/text-table.js'
import type {Job} from '../../../src/job/job.js'
import type {JobActionResult} from '../../../src/operator/act-on-jobs.js'

const now = new Date('2024-05-01T12:00:00.000Z')
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000)
const plain = new Chalk({level: 0})
const colored = new Chalk({level: 1})

const job = (overrides: Partial<Job> = {}): Job => ({
  id: '7',
  state: 'retryable',
  queue: 'default',
  worker: 'MyApp.Sync',
  args: {account: 7},
  meta: {},
  tags: [],
  errors: [],
  attempt: 2,
  maxAttempts: 20,
  priority: 0,
  insertedAt: ago(300),
  scheduledAt: ago(-120),
  attemptedAt: ago(60),
  completedAt: null,
  discardedAt: null,
  cancelledAt: null,
  attemptedBy: null,
  ...overrides,
})

describe('time', () => {
  it('says how long ago or how soon, in one or two units', () => {
    expect([0.4, 42, 312, 3 * 3600 + 1200, 2 * 86400 + 4 * 3600, 3600].map((s) => relativeTime(ago(s), now))).toEqual([
      'now',
      '42s ago',
      '5m 12s ago',
      '3h 20m ago',
      '2d 4h ago',
      '1h ago',
    ])
    expect(relativeTime(ago(-600), now)).toBe('in 10m')
    expect(relativeTime(null, now)).toBe('-')
    expect(shortDuration(850)).toBe('850ms')
    expect(exactTime(ago(3), now)).toBe('2024-05-01 11:59:57.000 UTC (3s ago)')
  })
})

describe('renderTable', () => {
  const spec = {
    head: ['ID', 'NAME', 'N'],
    rows: [
      ['1', 'alpha', '10'],
      ['22', 'b', '3'],
    ],
    alignRight: [2],
  }

  it('prints aligned plain columns without borders, colours or trailing spaces', () => {
    expect(renderTable(spec, {tty: false})).toBe('ID  NAME    N\n1   alpha  10\n22  b       3')
  })

  it('draws a compact box on a terminal: a rule under the header only, no colour of its own', () => {
    expect(renderTable(spec, {tty: true})).toBe(
      [
        '┌────┬───────┬────┐',
        '│ ID │ NAME  │  N │',
        '├────┼───────┼────┤',
        '│ 1  │ alpha │ 10 │',
        '│ 22 │ b     │  3 │',
        '└────┴───────┴────┘',
      ].join('\n'),
    )
  })

  it('measures coloured cells by what is printed', () => {
    const text = renderTable({head: ['A', 'B'], rows: [[colored.red('x'), 'y']]}, {tty: false})
    expect(text).toBe(`A  B\n${colored.red('x')}  y`)
  })

  it('truncates long text on one line', () => {
    expect(truncate('{"a":\n 1}', 20)).toBe('{"a": 1}')
    expect(truncate('abcdefghij', 5)).toBe('abcd…')
  })
})

describe('formatJobList', () => {
  it('shows one row per job with its state, attempts, times and args', () => {
    const text = formatJobList([job(), job({id: '12', state: 'completed', attemptedAt: null, args: {}})], {
      tty: false,
      colors: plain,
      now,
    })
    expect(text).toBe(
      [
        'ID  STATE      QUEUE    WORKER      ATTEMPT  SCHEDULED  ATTEMPTED  ARGS',
        ' 7  retryable  default  MyApp.Sync     2/20  in 2m      1m ago     {"account":7}',
        '12  completed  default  MyApp.Sync     2/20  in 2m      -          {}',
      ].join('\n'),
    )
  })

  it('cuts the args to fit a terminal, and colours the state', () => {
    const long = job({args: {text: 'x'.repeat(500)}})
    const text = formatJobList([long], {tty: true, colors: colored, now, width: 120})
    expect(Math.max(...text.split('\n').map((line) => stripVTControlCharacters(line).length))).toBeLessThanOrEqual(120)
    expect(text).toContain(colored.magenta('retryable'))
    expect(text).toContain('…')
  })
})

describe('formatJobDetail', () => {
  it('shows every field, pretty args and meta, and full errors oldest first', () => {
    const text = formatJobDetail(
      job({
        meta: {source: 'api'},
        tags: ['a', 'b'],
        attemptedBy: ['web-1', 'uuid'],
        errors: [
          {attempt: 2, at: ago(60).toISOString(), error: 'Error: refused'},
          {attempt: 1, at: ago(240).toISOString(), error: 'Error: timeout\n    at sync (sync.ts:1:1)'},
        ],
      }),
      {tty: false, colors: plain, now},
    )
    expect(text).toBe(
      [
        'Job 7 MyApp.Sync retryable',
        'id            7',
        'state         retryable',
        'queue         default',
        'worker        MyApp.Sync',
        'attempt       2 of 20',
        'priority      0',
        'tags          a, b',
        'inserted at   2024-05-01 11:55:00.000 UTC (5m ago)',
        'scheduled at  2024-05-01 12:02:00.000 UTC (in 2m)',
        'attempted at  2024-05-01 11:59:00.000 UTC (1m ago)',
        'attempted by  web-1 uuid',
        'completed at  -',
        'discarded at  -',
        'cancelled at  -',
        '',
        'args',
        '  {',
        '    "account": 7',
        '  }',
        '',
        'meta',
        '  {',
        '    "source": "api"',
        '  }',
        '',
        'errors (2, newest last)',
        '  attempt 1 2024-05-01 11:56:00.000 UTC (4m ago)',
        '    Error: timeout',
        '        at sync (sync.ts:1:1)',
        '',
        '  attempt 2 2024-05-01 11:59:00.000 UTC (1m ago)',
        '    Error: refused',
      ].join('\n'),
    )
  })
})

describe('formatQueues', () => {
  it('shows the counts with separators, the latency and the nodes running each queue', () => {
    const node = (
      name: string,
      limit: number,
      running: number,
      paused = false,
      runtime: 'oban-ts' | 'python' = 'oban-ts',
    ) => ({
      instance: 'Oban',
      node: name,
      runtime,
      limit,
      running,
      paused,
    })
    const text = formatQueues(
      [
        {
          queue: 'default',
          available: 1234,
          scheduled: 0,
          executing: 2,
          retryable: 1,
          oldestAvailableAt: '',
          latencyMs: 65_000,
          nodes: [node('a', 10, 2), node('b', 5, 0, true)],
          unrunnable: [],
        },
        {
          queue: 'idle',
          available: 0,
          scheduled: 3,
          executing: 0,
          retryable: 0,
          oldestAvailableAt: null,
          latencyMs: null,
          nodes: [],
          unrunnable: [],
        },
        {
          queue: 'quiet',
          available: 0,
          scheduled: 0,
          executing: 0,
          retryable: 0,
          oldestAvailableAt: null,
          latencyMs: null,
          nodes: [node('a', 1000, 0), node('py-1', 5, 3, false, 'python')],
          unrunnable: [],
        },
      ],
      {tty: false, colors: plain},
    )
    expect(text).toBe(
      [
        'QUEUE    AVAILABLE  SCHEDULED  EXECUTING  RETRYABLE  LATENCY  NODES',
        'default      1,234          0          2          1    1m 5s  2 nodes · limit 15 · 2 running · 1 paused',
        'idle             0          3          0          0        -  -',
        'quiet            0          0          0          0        -  2 nodes (1 python) · limit 1,005 · 3 running',
      ].join('\n'),
    )
  })

  it('colours the paused part, and dims a queue no node runs', () => {
    const node = {instance: 'Oban', node: 'a', runtime: 'oban-ts' as const, limit: 1, running: 0, paused: true}
    expect(describeQueueNodes([node], colored)).toBe(`1 node · limit 1 · 0 running · ${colored.yellow('1 paused')}`)
    expect(describeQueueNodes([], colored)).toBe(colored.dim('-'))
  })
})

describe('action messages', () => {
  const result = (overrides: Partial<JobActionResult>): JobActionResult => ({
    action: 'cancel',
    prefix: 'public',
    matched: 3,
    aborted: false,
    changed: 3,
    byState: {available: 2, executing: 1},
    signalled: 1,
    batches: 1,
    skipped: 0,
    changedIds: null,
    notFound: [],
    notEligible: [],
    ...overrides,
  })

  it('says what changed, the pkills, skipped jobs and ids not eligible', () => {
    expect(formatActionResult(result({}), {queues: ['default']}, plain)).toEqual([
      'Cancelled 3 jobs (available 2, executing 1).',
      'Sent pkill for 1 executing job: the nodes running them abort them.',
    ])
    expect(
      formatActionResult(
        result({
          action: 'retry',
          matched: 2500,
          changed: 2499,
          byState: {discarded: 2499},
          signalled: 0,
          batches: 3,
          skipped: 1,
        }),
        {},
        plain,
      ),
    ).toEqual([
      'Retried 2,499 jobs (discarded 2,499) in 3 batches.',
      'Skipped 1 job that a node held locked throughout; run the command again to include them.',
    ])
    expect(
      formatActionResult(
        result({
          action: 'delete',
          matched: 0,
          changed: 0,
          byState: {},
          signalled: 0,
          notEligible: [{id: '5', state: 'executing'}],
        }),
        {ids: ['5']},
        plain,
      ),
    ).toEqual(['Deleted 0 jobs.', 'Not deleted, as delete does not apply to their state: 5 (executing).'])
    expect(formatActionResult(result({matched: 0, changed: 0, signalled: 0}), {states: ['completed']}, plain)).toEqual([
      'No jobs to cancel match --state completed (cancel applies to available, suspended, scheduled, executing, retryable jobs).',
    ])
    expect(formatActionResult(result({aborted: true}), {}, plain)).toEqual(['Aborted: nothing was cancelled.'])
  })

  it('asks with the count and the states', () => {
    expect(
      confirmQuestion(
        {action: 'retry', total: 1234, byState: {retryable: 1000, discarded: 234}},
        {queues: ['a', 'b']},
        plain,
      ),
    ).toBe('Retry 1,234 jobs matching --queue a,b (retryable 1,000, discarded 234)?')
  })
})

describe('colours', () => {
  it('are off with --no-color or NO_COLOR, and on with --color', () => {
    expect(outputColors({color: false, env: {}}).level).toBe(0)
    expect(outputColors({env: {NO_COLOR: '1'}}).level).toBe(0)
    expect(outputColors({color: true, env: {NO_COLOR: '1'}}).level).toBeGreaterThan(0)
  })
})

describe('progressLine', () => {
  const capture = (isTTY: boolean) => {
    const stream = Object.assign(new PassThrough(), {isTTY})
    let written = ''
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()))
    return {stream, written: () => written}
  }

  it('rewrites one line on a terminal, at most every 100 ms, and erases it at the end', () => {
    const {stream, written} = capture(true)
    let clock = 0
    const progress = progressLine('retried', stream, () => clock)
    progress.update(1000, 100_000)
    clock = 50
    progress.update(2000, 100_000)
    clock = 150
    progress.update(23_000, 100_000)
    progress.update(100_000, 100_000)
    progress.done()
    expect(written()).toBe(
      '\r\x1b[2Kretried 1,000 / 100,000\r\x1b[2Kretried 23,000 / 100,000\r\x1b[2Kretried 100,000 / 100,000\r\x1b[2K',
    )
  })

  it('writes nothing when stderr is not a terminal', () => {
    const {stream, written} = capture(false)
    const progress = progressLine('retried', stream)
    progress.update(1, 2)
    progress.done()
    expect(written()).toBe('')
  })
})

describe('askYesNo', () => {
  const streams = (isTTY = true) => ({
    input: Object.assign(new PassThrough(), {isTTY}),
    output: Object.assign(new PassThrough(), {isTTY}),
  })

  it('asks on the output and accepts only an explicit yes', async () => {
    for (const [answer, expected] of [
      ['y\n', true],
      ['YES\n', true],
      ['\n', false],
      ['n\n', false],
      ['maybe\n', false],
    ] as const) {
      const io = streams()
      let asked = ''
      io.output.on('data', (chunk: Buffer) => (asked += chunk.toString()))
      const reply = askYesNo('Retry 3 jobs?', io)
      io.input.write(answer)
      expect(await reply).toBe(expected)
      expect(asked).toBe('Retry 3 jobs? [y/N] ')
    }
  })

  it('takes end of input as no, and can only ask when both ends are terminals', async () => {
    const io = streams()
    const reply = askYesNo('Delete?', io)
    io.input.end()
    expect(await reply).toBe(false)
    expect(canPrompt(streams(true))).toBe(true)
    expect(canPrompt({input: streams(false).input, output: streams(true).output})).toBe(false)
  })
})
