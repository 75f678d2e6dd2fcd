import {describe, expect, it} from 'vitest'
import {APPROXIMATE_LEGEND, formatBreakdown, formatCount} from '../../../../src/cli/breakdown/format.js'
import {breakdownJson, buildBreakdown, type BreakdownRow} from '../../../../src/cli/breakdown/model.js'

// Unsorted on purpose, with a zero and a queue of one state.
const rows: BreakdownRow[] = [
  {queue: 'events', state: 'discarded', count: 2},
  {queue: 'default', state: 'completed', count: 1_234_567, approximate: true},
  {queue: 'events', state: 'available', count: 12},
  {queue: 'default', state: 'available', count: 3},
  {queue: 'default', state: 'executing', count: 1},
  {queue: 'default', state: 'retryable', count: 0},
  {queue: 'mailers', state: 'scheduled', count: 1500},
]

describe('formatBreakdown', () => {
  it('sorts by queue then lifecycle, leaves zeros out, totals each queue and all, marks estimates', () => {
    expect(formatBreakdown(rows)).toMatchInlineSnapshot(`
      "┌────────────┬───────────┬────────┐
      │ queue      │ state     │  count │
      ├────────────┼───────────┼────────┤
      │ default    │ available │      3 │
      │            │ executing │      1 │
      │            │ completed │ ~1.23M │
      │            │ total     │ ~1.23M │
      │ events     │ available │     12 │
      │            │ discarded │      2 │
      │            │ total     │     14 │
      │ mailers    │ scheduled │  1,500 │
      │ all queues │ total     │ ~1.24M │
      └────────────┴───────────┴────────┘
      ~ estimated from PostgreSQL statistics and a sample (not an exact count)"
    `)
  })

  it('lists every state of every queue with zeros', () => {
    const text = formatBreakdown([{queue: 'default', state: 'available', count: 3}], {zeros: true})
    expect(text).toMatchInlineSnapshot(`
      "┌─────────┬───────────┬───────┐
      │ queue   │ state     │ count │
      ├─────────┼───────────┼───────┤
      │ default │ available │     3 │
      │         │ suspended │     0 │
      │         │ scheduled │     0 │
      │         │ executing │     0 │
      │         │ retryable │     0 │
      │         │ completed │     0 │
      │         │ discarded │     0 │
      │         │ cancelled │     0 │
      │         │ total     │     3 │
      └─────────┴───────────┴───────┘"
    `)
  })

  it('pivots: one row per queue, a column per state that has jobs', () => {
    expect(formatBreakdown(rows, {pivot: true})).toMatchInlineSnapshot(`
      "┌────────────┬───────────┬───────────┬───────────┬───────────┬───────────┬────────┐
      │ queue      │ available │ scheduled │ executing │ completed │ discarded │  total │
      ├────────────┼───────────┼───────────┼───────────┼───────────┼───────────┼────────┤
      │ default    │         3 │           │         1 │    ~1.23M │           │ ~1.23M │
      │ events     │        12 │           │           │           │         2 │     14 │
      │ mailers    │           │     1,500 │           │           │           │  1,500 │
      │ all queues │        15 │     1,500 │         1 │    ~1.23M │         2 │ ~1.24M │
      └────────────┴───────────┴───────────┴───────────┴───────────┴───────────┴────────┘
      ~ estimated from PostgreSQL statistics and a sample (not an exact count)"
    `)
  })

  it('keeps only the asked queues; with zeros, a queue without jobs is listed too', () => {
    const text = formatBreakdown(rows, {queues: ['events', 'nothing']})
    expect(text).not.toContain('default')
    expect(text).not.toContain('nothing')
    expect(formatBreakdown(rows, {queues: ['nothing'], zeros: true, pivot: true})).toMatchInlineSnapshot(`
      "┌─────────┬───────────┬───────────┬───────────┬───────────┬───────────┬───────────┬───────────┬───────────┬───────┐
      │ queue   │ available │ suspended │ scheduled │ executing │ retryable │ completed │ discarded │ cancelled │ total │
      ├─────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────┤
      │ nothing │         0 │         0 │         0 │         0 │         0 │         0 │         0 │         0 │     0 │
      └─────────┴───────────┴───────────┴───────────┴───────────┴───────────┴───────────┴───────────┴───────────┴───────┘"
    `)
  })

  it('says so when there are no jobs', () => {
    expect(formatBreakdown([])).toBe('No jobs.')
    expect(formatBreakdown(rows, {queues: ['a', 'b']})).toBe('No jobs in queues a, b.')
    expect(formatBreakdown([{queue: 'a', state: 'completed', count: 0}])).toBe('No jobs.')
  })

  it('colours states and totals only when asked', () => {
    const plain = formatBreakdown(rows)
    // eslint-disable-next-line no-control-regex
    expect(plain).not.toMatch(/\u001B\[/)
    const coloured = formatBreakdown(rows, {color: true})
    expect(coloured).toContain('\u001B[32mcompleted\u001B[39m')
    expect(coloured).toContain('\u001B[31mdiscarded\u001B[39m')
    expect(coloured).toContain(`\u001B[2m${APPROXIMATE_LEGEND}\u001B[22m`)
  })

  it('prints no legend without estimates', () => {
    expect(formatBreakdown(rows.filter((r) => !r.approximate))).not.toContain('~')
  })
})

describe('formatCount', () => {
  it('prints exact counts in full and estimates short, marked with ~', () => {
    expect(formatCount(0)).toBe('0')
    expect(formatCount(1_234_567)).toBe('1,234,567')
    expect(formatCount(1_234_567, true)).toBe('~1.23M')
    expect(formatCount(307_054, true)).toBe('~307K')
    expect(formatCount(999, true)).toBe('~999')
  })
})

describe('buildBreakdown', () => {
  it('sums rows of the same queue and state (several nodes), approximate if any part is', () => {
    const model = buildBreakdown([
      {queue: 'a', state: 'completed', count: 2},
      {queue: 'a', state: 'completed', count: 100_000, approximate: true},
      {queue: 'b', state: 'available', count: 1},
    ])
    expect(model.queues[0]!.rows).toEqual([{queue: 'a', state: 'completed', count: 100_002, approximate: true}])
    expect(model.stateTotals).toEqual({
      available: {count: 1, approximate: false},
      completed: {count: 100_002, approximate: true},
    })
    expect(model.states).toEqual(['available', 'completed'])
    expect(model.total).toEqual({count: 100_003, approximate: true})
  })

  it('gives the JSON form: sorted rows, approximate only where true, totals', () => {
    const json = breakdownJson({rows, status: 'running', time: new Date('2026-11-28T12:00:00Z')}, 'Oban', {
      queues: ['default'],
    })
    expect(json).toEqual({
      time: '2026-11-28T12:00:00.000Z',
      instance: 'Oban',
      status: 'running',
      rows: [
        {queue: 'default', state: 'available', count: 3},
        {queue: 'default', state: 'executing', count: 1},
        {queue: 'default', state: 'completed', count: 1_234_567, approximate: true},
      ],
      total: {count: 1_234_571, approximate: true},
    })
  })
})
