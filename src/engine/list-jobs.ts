import type {Queryable} from '../db/pool.js'
import type {JobFilter, JobOrder} from '../job/filter.js'
import type {JobId} from '../job/job-id.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../job/job.js'
import {filterConditions} from './job-filter-sql.js'
import {qualified} from '../db/names.js'

/**
 * Where a page of a listing ends, in the listing's order: the last row's sort value (PostgreSQL's
 * text of the timestamp, or null when it has none) and its id. The next page starts after it.
 */
export interface ListPosition {
  value: string | null
  id: JobId
}

/**
 * Up to `limit` jobs matching the filter, in the given order with ties broken by id, starting
 * after `after` (keyset paging: each page is an index range scan, however deep). Jobs never
 * attempted sort last by `attempted_at` in either direction, so the most relevant rows come
 * first. Returns the jobs with the position of the last one.
 */
export async function listJobs(
  db: Queryable,
  prefix: string,
  filter: JobFilter,
  options: {order: JobOrder; limit: number; after?: ListPosition},
): Promise<{jobs: Job[]; last?: ListPosition}> {
  const values: unknown[] = []
  const where = [filterConditions(prefix, filter, values)]
  // The field is one of JOB_ORDER_FIELDS (checked where the order is parsed); never user text.
  const field = options.order.field
  const desc = options.order.direction === 'desc'
  const direction = desc ? 'DESC' : 'ASC'
  const order = field === 'id' ? `id ${direction}` : `${field} ${direction} NULLS LAST, id ${direction}`
  if (options.after) where.push(afterCondition(field, desc, options.after, values))
  values.push(options.limit)
  const {rows} = await db.query<JobRow & {position: string | null}>(
    `SELECT ${JOB_COLUMNS}, ${field === 'id' ? 'NULL' : field}::text AS position
       FROM ${qualified(prefix, 'oban_jobs')} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${values.length}`,
    values,
  )
  const tail = rows.at(-1)
  return {
    jobs: rows.map(rowToJob),
    last: tail === undefined ? undefined : {value: tail.position, id: String(tail.id)},
  }
}

/** The rows after `after` in the order `(field NULLS LAST, id)`, ascending or descending. */
function afterCondition(field: JobOrder['field'], desc: boolean, after: ListPosition, values: unknown[]): string {
  const cmp = desc ? '<' : '>'
  values.push(after.id)
  const id = `$${values.length}::bigint`
  if (field === 'id') return `id ${cmp} ${id}`
  if (after.value === null) return `(${field} IS NULL AND id ${cmp} ${id})`
  values.push(after.value)
  const value = `$${values.length}::timestamp`
  return `(${field} ${cmp} ${value} OR (${field} = ${value} AND id ${cmp} ${id}) OR ${field} IS NULL)`
}
