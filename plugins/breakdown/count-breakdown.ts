import type {Queryable} from '../../src/db/pool.js'
import {FINAL_STATES, JOB_STATES, type JobState} from '../../src/job/job.js'
import type {Repo} from '../../src/plugin/plugin.js'
import {qualified} from '../../src/db/names.js'

/** How many jobs of a queue are in a state; `approximate` when the count is the planner's estimate. */
export interface BreakdownCount {
  queue: string
  state: JobState
  count: number
  approximate?: true
}

/**
 * From this many jobs (as the planner estimates them) a state's per-queue counts are estimated
 * rather than counted. Oban Met's Reporter estimates from 50,000 (`estimate_limit`); here the
 * split across queues comes from a block sample, which only beats an exact index count (about
 * 3-4M index entries a second on a 2-core machine) from about 100,000 rows of the state on.
 */
export const DEFAULT_ESTIMATE_ABOVE = 100_000

/**
 * Rows of a large state that its block sample aims at. 5,000 put a queue holding a tenth of the
 * state within about ±5% (one standard error ~4%; see bench/breakdown-count.ts), and the pages
 * read shrink as the state grows: 5% of the table for a state of 100,000 jobs (about what an
 * exact count through the index costs), 0.5% for a million.
 */
const SAMPLE_ROWS = 5_000

export interface BreakdownCountOptions {
  /**
   * States whose (queue, state) cells reach this many jobs by the planner's estimate are reported
   * as estimates. `Infinity` counts everything exactly. Default {@link DEFAULT_ESTIMATE_ABOVE}.
   */
  estimateAbove?: number
  /**
   * The states that may be estimated (default: the final states, completed, discarded and
   * cancelled, which grow until pruned). The others are always counted exactly.
   */
  estimable?: readonly JobState[]
  /** Only these queues (default: every queue). */
  queues?: readonly string[]
}

/** A pool or client (engine style), or a plugin's {@link Repo}: both run parameterised queries. */
export type CountSource = Queryable | Pick<Repo, 'query'>

/**
 * Counts jobs per queue and state, cheaply on big tables, sorted by queue then Oban's lifecycle
 * order (JOB_STATES); (queue, state) pairs without jobs are absent.
 *
 * Every exact count reads the fetch index `(state, queue, priority, scheduled_at, id)` from its
 * leading columns, so its cost follows the jobs that are counted, never the whole table:
 * 1. for each estimable state, the planner's estimate of its size (an EXPLAIN: no rows read; the
 *    row estimate Oban Met's `oban_count_estimate` reads, without installing a function);
 * 2. one exact count, grouped, of every other state and of estimable states below the limit (an
 *    index-only scan of just those states);
 * 3. for an estimable state above the limit: its queues, found by skipping through the index (one
 *    probe per queue), and its estimated size split across them in the proportions of a block
 *    sample of the table. A queue whose share is below the limit is counted exactly after all, so
 *    small queues stay exact. (Oban Met asks the planner per queue instead; the planner assumes
 *    queue and state independent, which put a queue that mostly fails at +130% of its completed
 *    jobs in the measurement, where the sample was within 3%.)
 *
 * Estimates are as good as the table's statistics (autovacuum's ANALYZE) and the sample: they may
 * lag after a burst or a prune. They are marked `approximate`, and every view shows them as such.
 * The statements run one after another, not in one snapshot: counts of different states may come
 * from moments a few milliseconds apart.
 */
export async function countBreakdown(
  db: CountSource,
  prefix: string,
  options: BreakdownCountOptions = {},
): Promise<BreakdownCount[]> {
  const limit = options.estimateAbove ?? DEFAULT_ESTIMATE_ABOVE
  const estimable = Number.isFinite(limit) ? (options.estimable ?? FINAL_STATES) : []
  const jobs = qualified(prefix, 'oban_jobs')
  const stateType = qualified(prefix, 'oban_job_state')
  const queues = options.queues ? [...options.queues] : null
  const queueCondition = queues ? ' AND queue = ANY($2::text[])' : ''

  const exactStates = JOB_STATES.filter((state) => !estimable.includes(state))
  const large = new Map<JobState, number>()
  for (const state of estimable) {
    const estimate = await planRows(db, `SELECT 1 FROM ${jobs} WHERE state = $1::${stateType}`, [state])
    if (estimate >= limit) large.set(state, estimate)
    else exactStates.push(state)
  }

  const counts: BreakdownCount[] = []
  if (exactStates.length > 0) {
    const rows = await select<{queue: string; state: JobState; count: string | number}>(
      db,
      `SELECT queue, state::text AS state, count(*) AS count FROM ${jobs}
        WHERE state = ANY($1::${stateType}[])${queueCondition}
        GROUP BY state, queue`,
      queues ? [exactStates, queues] : [exactStates],
    )
    for (const row of rows) counts.push({queue: row.queue, state: row.state, count: Number(row.count)})
  }

  const cells: {state: JobState; queue: string}[] = []
  for (const [state, size] of large) {
    const sample = await sampleQueues(db, jobs, stateType, state, size)
    const sampled = [...sample.values()].reduce((sum, n) => sum + n, 0)
    for (const queue of await queuesIn(db, jobs, stateType, state)) {
      if (queues && !queues.includes(queue)) continue
      const estimate = sampled === 0 ? 0 : Math.round((size * (sample.get(queue) ?? 0)) / sampled)
      if (estimate >= limit) counts.push({queue, state, count: estimate, approximate: true})
      else cells.push({state, queue})
    }
  }
  if (cells.length > 0) {
    // A correlated subquery per cell keeps each count an index range scan; a join could turn
    // into a scan of the whole table.
    const rows = await select<{queue: string; state: JobState; count: string | number}>(
      db,
      `SELECT c.queue, c.state,
              (SELECT count(*) FROM ${jobs} AS j WHERE j.state = c.state::${stateType} AND j.queue = c.queue) AS count
         FROM unnest($1::text[], $2::text[]) AS c(state, queue)`,
      [cells.map((cell) => cell.state), cells.map((cell) => cell.queue)],
    )
    for (const row of rows)
      if (Number(row.count) > 0) counts.push({queue: row.queue, state: row.state, count: Number(row.count)})
  }
  return sortCounts(counts)
}

/** Sorts by queue, then by Oban's lifecycle order of states. */
export function sortCounts<Row extends {queue: string; state: JobState}>(rows: readonly Row[]): Row[] {
  return [...rows].sort(
    (a, b) =>
      (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0) || JOB_STATES.indexOf(a.state) - JOB_STATES.indexOf(b.state),
  )
}

/**
 * The distinct queues that have jobs in `state`, by a loose index scan: each step asks the index
 * for the next queue after the previous one, so the cost is one probe per queue, not one per job
 * (a plain `SELECT DISTINCT queue` reads them all; oban_met#2).
 */
async function queuesIn(db: CountSource, jobs: string, stateType: string, state: JobState): Promise<string[]> {
  const rows = await select<{queue: string}>(
    db,
    `WITH RECURSIVE q AS (
       (SELECT queue FROM ${jobs} WHERE state = $1::${stateType} ORDER BY queue LIMIT 1)
       UNION ALL
       SELECT (SELECT j.queue FROM ${jobs} AS j
                WHERE j.state = $1::${stateType} AND j.queue > q.queue ORDER BY j.queue LIMIT 1)
         FROM q WHERE q.queue IS NOT NULL
     )
     SELECT queue FROM q WHERE queue IS NOT NULL`,
    [state],
  )
  return rows.map((row) => row.queue)
}

/**
 * The rows of one large state by queue in a block sample (`TABLESAMPLE SYSTEM`) sized for about
 * {@link SAMPLE_ROWS} of its rows: what splits the state's estimated size across its queues. A
 * fixed seed (`REPEATABLE`) reads the same pages at every refresh, so the estimates do not
 * flicker while the table stands still.
 */
async function sampleQueues(
  db: CountSource,
  jobs: string,
  stateType: string,
  state: JobState,
  size: number,
): Promise<Map<string, number>> {
  // Two significant digits: the percentage, hence the pages read, changes only with the table.
  const percent = Number(Math.min(100, (100 * SAMPLE_ROWS) / size).toPrecision(2))
  const rows = await select<{queue: string; count: string | number}>(
    db,
    `SELECT queue, count(*) AS count FROM ${jobs} TABLESAMPLE SYSTEM ($1) REPEATABLE (0)
      WHERE state = $2::${stateType}
      GROUP BY queue`,
    [percent, state],
  )
  return new Map(rows.map((row) => [row.queue, Number(row.count)]))
}

/** The planner's row estimate for a statement: EXPLAIN plans it (with the bound values) and reads nothing. */
async function planRows(db: CountSource, text: string, values: unknown[]): Promise<number> {
  const rows = await select<{'QUERY PLAN': [{Plan: {'Plan Rows': number}}]}>(
    db,
    `EXPLAIN (FORMAT JSON) ${text}`,
    values,
  )
  return Math.round(rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0)
}

async function select<Row extends Record<string, unknown>>(
  db: CountSource,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  // A Repo resolves to the rows, a pg Queryable to a result that holds them.
  const query = db.query.bind(db) as (text: string, values: unknown[]) => Promise<unknown>
  const result = await query(text, values)
  return (Array.isArray(result) ? result : (result as {rows: Row[]}).rows) as Row[]
}
