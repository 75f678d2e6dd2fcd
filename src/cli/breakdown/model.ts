import {JOB_STATES, type JobState} from '../../job/job.js'

/**
 * One line of a breakdown, as the Breakdown plugin publishes it: how many jobs of a queue are in
 * a state. `approximate` marks a count that is an estimate (see plugins/breakdown/count-breakdown.ts).
 */
export interface BreakdownRow {
  queue: string
  state: JobState
  count: number
  approximate?: boolean
}

/** What every view of a breakdown can be asked to show. */
export interface BreakdownViewOptions {
  /** Every state of every queue, zeros included (default: only the states that have jobs). */
  zeros?: boolean
  /** Only these queues; with `zeros`, they are listed even when they have no jobs at all. */
  queues?: readonly string[]
}

/** A sum of counts; approximate as soon as one of its parts is. */
export interface BreakdownTotal {
  count: number
  approximate: boolean
}

export interface QueueBreakdown {
  queue: string
  /** In lifecycle order (JOB_STATES). */
  rows: BreakdownRow[]
  total: BreakdownTotal
}

/** A breakdown arranged for display: the data every view (table, pivot, JSON) renders. */
export interface BreakdownModel {
  /** Sorted by queue name. */
  queues: QueueBreakdown[]
  /** The states that appear in some queue, in lifecycle order (every state with `zeros`). */
  states: JobState[]
  /** Per state over every queue. */
  stateTotals: Partial<Record<JobState, BreakdownTotal>>
  total: BreakdownTotal
  /** Whether any count is an estimate (the views then print a legend). */
  approximate: boolean
}

/**
 * Arranges rows for display: filtered to `queues`, sorted by queue then lifecycle order, zero
 * counts dropped (or, with `zeros`, every state of every queue filled in), totals per queue, per
 * state and overall. Pure: the same rows and options give the same model. Rows for the same
 * (queue, state) are summed, so the rows of several nodes can be merged by concatenation.
 */
export function buildBreakdown(rows: readonly BreakdownRow[], options: BreakdownViewOptions = {}): BreakdownModel {
  const wanted = options.queues && options.queues.length > 0 ? new Set(options.queues) : undefined
  const cells = new Map<string, Map<JobState, BreakdownTotal>>()
  for (const queue of options.zeros && wanted ? wanted : []) cells.set(queue, new Map())
  for (const row of rows) {
    if (wanted && !wanted.has(row.queue)) continue
    if (row.count === 0 && !options.zeros) continue
    const states = cells.get(row.queue) ?? new Map<JobState, BreakdownTotal>()
    cells.set(row.queue, states)
    const cell = states.get(row.state) ?? {count: 0, approximate: false}
    states.set(row.state, add(cell, row))
  }

  const queues: QueueBreakdown[] = [...cells.keys()].sort(byName).map((queue) => {
    const states = cells.get(queue)!
    const list = options.zeros ? JOB_STATES : JOB_STATES.filter((state) => states.has(state))
    const queueRows = list.map((state): BreakdownRow => {
      const cell = states.get(state) ?? {count: 0, approximate: false}
      return cell.approximate ? {queue, state, count: cell.count, approximate: true} : {queue, state, count: cell.count}
    })
    return {queue, rows: queueRows, total: queueRows.reduce(add, {count: 0, approximate: false})}
  })

  const stateTotals: Partial<Record<JobState, BreakdownTotal>> = {}
  for (const row of queues.flatMap((q) => q.rows)) stateTotals[row.state] = add(stateTotals[row.state], row)
  const states = JOB_STATES.filter((state) => options.zeros || (stateTotals[state]?.count ?? 0) > 0)
  const total = queues.reduce((sum, q) => add(sum, q.total), {count: 0, approximate: false})
  return {queues, states, stateTotals, total, approximate: total.approximate}
}

function add(sum: BreakdownTotal | undefined, part: {count: number; approximate?: boolean}): BreakdownTotal {
  return {
    count: (sum?.count ?? 0) + part.count,
    approximate: (sum?.approximate ?? false) || part.approximate === true,
  }
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The JSON form of a breakdown (`oban breakdown --json`, one object per refresh in NDJSON):
 * the displayed rows, sorted, with `approximate: true` only on estimates, and the totals.
 */
export interface BreakdownJson {
  time: string | null
  instance: string
  status: string
  rows: BreakdownRow[]
  total: BreakdownTotal
}

export function breakdownJson(
  snapshot: {time?: Date; rows?: readonly BreakdownRow[]; status: string},
  instance: string,
  options: BreakdownViewOptions = {},
): BreakdownJson {
  const model = buildBreakdown(snapshot.rows ?? [], options)
  return {
    time: snapshot.time?.toISOString() ?? null,
    instance,
    status: snapshot.status,
    rows: model.queues.flatMap((q) => q.rows),
    total: model.total,
  }
}
