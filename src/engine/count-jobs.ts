import type {Queryable} from '../db/pool.js'
import type {JobFilter} from '../job/filter.js'
import type {JobState} from '../job/job.js'
import {eligibleCondition, filterConditions} from './job-filter-sql.js'
import {qualified} from '../db/names.js'

/**
 * How many jobs match the filter and are in one of `states` (or in one of `outOfAttempts` with no
 * attempt left), per state (states without jobs are absent), in the enum's lifecycle order so messages list them the same way every time. What a
 * bulk action asks confirmation for, and the total its progress counts towards.
 * An exact count: it reads every matching index entry or row, once, before the action starts.
 */
export async function countJobsByState(
  db: Queryable,
  prefix: string,
  filter: JobFilter,
  states: readonly JobState[],
  outOfAttempts: readonly JobState[] = [],
): Promise<Partial<Record<JobState, number>>> {
  const values: unknown[] = []
  const eligible = eligibleCondition(prefix, {states, outOfAttempts}, values)
  const where = filterConditions(prefix, filter, values)
  const {rows} = await db.query<{state: JobState; count: string}>(
    `SELECT state, count(*) AS count FROM ${qualified(prefix, 'oban_jobs')}
      WHERE ${eligible} AND ${where}
      GROUP BY state
      ORDER BY state`,
    values,
  )
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]))
}
