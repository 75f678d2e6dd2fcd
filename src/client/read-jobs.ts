import type {Queryable} from '../db/pool.js'
// verify.js, not the migrations' index: reading jobs needs none of the 14 migrations nor the migrator.
import {verifyMigrated} from '../db/migrations/verify.js'
import {withDatabase, type DatabaseTarget} from '../db/target.js'
import {getJob as selectJob} from '../engine/get-job.js'
import {listJobs as selectJobs, type ListPosition} from '../engine/list-jobs.js'
import {JobFilterError} from '../errors.js'
import {DEFAULT_JOB_ORDER, JOB_ORDER_FIELDS, type JobFilter, type JobOrder} from '../job/filter.js'
import {toJobId, toJobIds, type JobIdInput} from '../job/job-id.js'
import {JOB_STATES, type Job} from '../job/job.js'

/**
 * Reading jobs from code: one job by id, and pages of jobs matching a filter, in the order and
 * with the filters of `oban job list` (which calls these). For a node, `Oban.getJob` and
 * `Oban.listJobs`; for code that is not one, these with a {@link DatabaseTarget}.
 */

/** Which jobs: every given criterion must hold; the values of one criterion are alternatives. */
/** A job filter as callers give it: ids may be strings, numbers or bigints (checked by toJobId). */
export type JobFilterInput = Omit<JobFilter, 'ids'> & {ids?: readonly JobIdInput[]}

export interface ListJobsOptions extends JobFilterInput {
  /** Sort (default newest first: `{field: 'id', direction: 'desc'}`); ties are broken by id. */
  order?: JobOrder
  /** Jobs per page, 1 to 10,000 (default 20). */
  limit?: number
  /** The `nextCursor` of the previous page, with the same filter and order. */
  cursor?: string | null
}

/** One page of a listing; `nextCursor` is null when there are no more jobs. */
export interface JobPage {
  jobs: Job[]
  nextCursor: string | null
}

export const MAX_LIST_LIMIT = 10_000

/** One job by id, or undefined when there is none. Ids: see `JobIdInput` (InvalidJobIdError). */
export async function getJob(target: DatabaseTarget, id: JobIdInput): Promise<Job | undefined> {
  const jobId = toJobId(id)
  return withDatabase(target, async (pool, prefix) => {
    if (target.databaseUrl !== undefined) await verifyMigrated(pool, prefix)
    return selectJob(pool, prefix, jobId)
  })
}

/**
 * A page of the jobs matching the filter, in order. Paging is by keyset (the cursor holds the
 * last row's sort value and id), so a page deep into millions of rows costs what the first does,
 * and jobs inserted meanwhile never shift a page. Bad options throw JobFilterError.
 */
export async function listJobs(target: DatabaseTarget, options: ListJobsOptions = {}): Promise<JobPage> {
  const filter = checkJobFilter(options)
  const order = checkOrder(options.order ?? DEFAULT_JOB_ORDER)
  const limit = checkLimit(options.limit ?? 20)
  const after = options.cursor == null ? undefined : decodeCursor(options.cursor, order)
  return withDatabase(target, async (pool, prefix) => {
    if (target.databaseUrl !== undefined) await verifyMigrated(pool, prefix)
    return listPage(pool, prefix, filter, {order, limit, after})
  })
}

/** The same on an open connection and a validated prefix (for the CLI and the Oban class). */
export async function listPage(
  db: Queryable,
  prefix: string,
  filter: JobFilter,
  options: {order: JobOrder; limit: number; after?: ListPosition},
): Promise<JobPage> {
  const {jobs, last} = await selectJobs(db, prefix, filter, options)
  return {jobs, nextCursor: last && jobs.length === options.limit ? encodeCursor(options.order, last) : null}
}

/** A filter given in code, checked: ids (InvalidJobIdError), states and JSON objects (JobFilterError). */
export function checkJobFilter(input: JobFilterInput): JobFilter {
  const filter: JobFilter = {}
  if (input.ids !== undefined) filter.ids = toJobIds(input.ids)
  for (const key of ['queues', 'workers', 'tags'] as const) {
    const values = input[key]
    if (values === undefined) continue
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || v === ''))
      throw new JobFilterError(`${key} must be a list of non-empty strings`)
    filter[key] = values
  }
  if (input.states !== undefined) {
    const bad = input.states.find((state) => !JOB_STATES.includes(state))
    if (bad !== undefined)
      throw new JobFilterError(`unknown state ${JSON.stringify(bad)}: use ${JOB_STATES.join(', ')}`)
    filter.states = input.states
  }
  for (const key of ['argsContain', 'metaContains'] as const) {
    const value = input[key]
    if (value === undefined) continue
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new JobFilterError(`${key} must be a JSON object such as {"id": 1}`)
    filter[key] = value
  }
  return filter
}

function checkOrder(order: JobOrder): JobOrder {
  if (!JOB_ORDER_FIELDS.includes(order.field) || (order.direction !== 'asc' && order.direction !== 'desc'))
    throw new JobFilterError(
      `invalid order ${JSON.stringify(order)}: use a field of ${JOB_ORDER_FIELDS.join(', ')} and a direction asc or desc`,
    )
  return {field: order.field, direction: order.direction}
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new JobFilterError(`invalid limit ${limit}: it must be an integer from 1 to ${MAX_LIST_LIMIT}`)
  return limit
}

// A cursor is opaque to callers: base64url of [field, direction, value, id].
function encodeCursor(order: JobOrder, last: ListPosition): string {
  return Buffer.from(JSON.stringify([order.field, order.direction, last.value, last.id])).toString('base64url')
}

function decodeCursor(cursor: string, order: JobOrder): ListPosition {
  let parts: unknown
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    parts = undefined
  }
  if (!Array.isArray(parts) || parts.length !== 4)
    throw new JobFilterError('invalid cursor: pass the nextCursor of a page as it is')
  const [field, direction, value, id] = parts as unknown[]
  if (field !== order.field || direction !== order.direction)
    throw new JobFilterError(
      `the cursor belongs to a listing ordered by ${String(field)} ${String(direction)}: keep the order of the first page`,
    )
  if (value !== null && (typeof value !== 'string' || !/^[\d:. +TBC-]+$|^-?infinity$/.test(value)))
    throw new JobFilterError('invalid cursor: pass the nextCursor of a page as it is')
  return {value: value, id: toJobId(id as string)}
}
