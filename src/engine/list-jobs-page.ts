import type {Queryable} from '../db/pool.js'
import type {JobFilter} from '../job/filter.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../job/job.js'
import {filterConditions} from './job-filter-sql.js'
import {qualified} from '../db/names.js'

/** The timestamp columns a page of jobs can be sorted by (besides id). */
export const PAGE_ORDER_COLUMNS = [
  'id',
  'scheduled_at',
  'attempted_at',
  'completed_at',
  'cancelled_at',
  'discarded_at',
  'inserted_at',
] as const

export type PageOrderColumn = (typeof PAGE_ORDER_COLUMNS)[number]

export interface JobPageQuery {
  filter: JobFilter
  /** One of PAGE_ORDER_COLUMNS (checked here: never user text in the statement). */
  column: PageOrderColumn
  direction: 'asc' | 'desc'
  /** Case-insensitive text searched in the args and meta as JSON text (a sequential filter). */
  search?: string
  limit: number
  offset: number
}

/**
 * One page of the jobs matching a filter (and a text search over args and meta), ordered by a
 * column with ties broken by id in the same direction; `limit + 1` rows are read so the caller
 * knows whether another page follows. No NULLS LAST: a descending scan of Oban's
 * (state, cancelled_at) and (state, discarded_at) indexes then gives the order (callers sort a
 * state by a timestamp that state always has, so no null is met).
 */
export async function listJobsPage(
  db: Queryable,
  prefix: string,
  query: JobPageQuery,
): Promise<{jobs: Job[]; more: boolean}> {
  if (!PAGE_ORDER_COLUMNS.includes(query.column)) throw new RangeError(`cannot sort jobs by ${String(query.column)}`)
  const values: unknown[] = []
  let where = filterConditions(prefix, query.filter, values)
  if (query.search !== undefined && query.search !== '') {
    values.push(`%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    where += ` AND (args::text ILIKE $${values.length} OR meta::text ILIKE $${values.length})`
  }
  const direction = query.direction === 'asc' ? 'ASC' : 'DESC'
  const order = query.column === 'id' ? `id ${direction}` : `${query.column} ${direction}, id ${direction}`
  values.push(query.limit + 1, query.offset)
  const {rows} = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM ${qualified(prefix, 'oban_jobs')} WHERE ${where}
      ORDER BY ${order} LIMIT $${values.length - 1} OFFSET $${values.length}`,
    values,
  )
  return {jobs: rows.slice(0, query.limit).map(rowToJob), more: rows.length > query.limit}
}
