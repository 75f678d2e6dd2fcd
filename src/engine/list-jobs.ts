import type {Queryable} from '../db/pool.js'
import type {JobFilter, JobOrder} from '../job/filter.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../job/job.js'
import {filterConditions} from './job-filter-sql.js'
import {qualified} from '../db/names.js'

/**
 * Up to `limit` jobs matching the filter, in the given order with ties broken by id. Jobs never
 * attempted sort last by `attempted_at` in either direction, so the most relevant rows come first.
 */
export async function listJobs(
  db: Queryable,
  prefix: string,
  filter: JobFilter,
  options: {order: JobOrder; limit: number},
): Promise<Job[]> {
  const values: unknown[] = []
  const where = filterConditions(prefix, filter, values)
  // The field is one of JOB_ORDER_FIELDS (checked where the order is parsed); never user text.
  const direction = options.order.direction === 'asc' ? 'ASC' : 'DESC'
  const order =
    options.order.field === 'id' ? `id ${direction}` : `${options.order.field} ${direction} NULLS LAST, id ${direction}`
  values.push(options.limit)
  const {rows} = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM ${qualified(prefix, 'oban_jobs')} WHERE ${where} ORDER BY ${order} LIMIT $${values.length}`,
    values,
  )
  return rows.map(rowToJob)
}
