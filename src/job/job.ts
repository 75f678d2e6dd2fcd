import {parseJsonTimestamp, type Timestamp} from '../db/types.js'
import type {JobId} from './job-id.js'

/**
 * The job model, as stored in Oban's `oban_jobs` table (schema version 14). Field names are the
 * camelCase of Oban's columns; `rowToJob` is the only place that maps between the two.
 */

/** Every state of Oban's `oban_job_state` enum, in lifecycle order (used for sorting and views). */
export const JOB_STATES = [
  'available',
  'suspended',
  'scheduled',
  'executing',
  'retryable',
  'completed',
  'discarded',
  'cancelled',
] as const

export type JobState = (typeof JOB_STATES)[number]

/** Final states: only these are ever pruned. */
export const FINAL_STATES: readonly JobState[] = ['completed', 'discarded', 'cancelled']

/** One entry of a job's `errors` column, in Oban's shape. */
export interface JobError {
  attempt: number
  /** ISO-8601 UTC timestamp. */
  at: string
  /** The formatted error (message and stack). */
  error: string
}

export type JobArgs = Record<string, unknown>

/**
 * A job's timestamp: a `Date`, or, for a value a Date cannot hold, PostgreSQL's own text of it
 * (`'infinity'`, `'-infinity'`, `'294276-01-01 00:00:00'`). oban-ts itself only writes Dates; the
 * text comes from rows written by other clients, and is shown as stored.
 */
export type JobTimestamp = Date | string

export interface Job<Args extends JobArgs = JobArgs> {
  /** A bigint in the database, carried as its exact decimal digits (see src/job/job-id.ts). */
  id: JobId
  state: JobState
  queue: string
  /** The worker name as stored, e.g. `MyApp.Workers.Email` (shared with Elixir nodes). */
  worker: string
  args: Args
  meta: Record<string, unknown>
  tags: string[]
  errors: JobError[]
  attempt: number
  maxAttempts: number
  priority: number
  /**
   * Timestamps (UTC) are Dates, except a value a Date cannot hold, which is kept as the text
   * PostgreSQL stores: `'infinity'`, `'-infinity'` or a time after 275760-09-13 (a row written by
   * psql or another client). See {@link JobTimestamp}.
   */
  insertedAt: JobTimestamp
  scheduledAt: JobTimestamp
  attemptedAt: JobTimestamp | null
  completedAt: JobTimestamp | null
  discardedAt: JobTimestamp | null
  cancelledAt: JobTimestamp | null
  /** `[node, producer uuid]` of the last fetch. */
  attemptedBy: string[] | null
}

/** Columns in the order `SELECT *` would return them; engine statements use this list. */
export const JOB_COLUMNS =
  'id, state, queue, worker, args, meta, tags, errors, attempt, max_attempts, priority, inserted_at, scheduled_at, attempted_at, completed_at, discarded_at, cancelled_at, attempted_by'

/** A row of `oban_jobs` as node-postgres returns it. */
export interface JobRow {
  id: string | number
  state: string
  queue: string
  worker: string
  args: unknown
  meta: unknown
  tags: string[] | null
  errors: unknown[] | null
  attempt: number
  max_attempts: number
  priority: number | null
  inserted_at: Timestamp
  scheduled_at: Timestamp
  attempted_at: Timestamp | null
  completed_at: Timestamp | null
  discarded_at: Timestamp | null
  cancelled_at: Timestamp | null
  attempted_by: string[] | null
}

/**
 * The columns a fetch reads back, in the order of the JSON array it returns for each row
 * (`json_build_array(...)`, see src/engine/fetch-jobs.ts). The id is its text, since JSON.parse
 * would round a bigint above 2^53. What the fetch itself decides is not read back: the state
 * (`executing`), the queue (it selects by it) and `attempted_by` (its parameters); see
 * {@link FetchedBy}. Fewer columns is less for PostgreSQL to render and for us to parse.
 */
export const JOB_ARRAY_COLUMNS =
  'id::text, worker, args, meta, tags, errors, attempt, max_attempts, priority, inserted_at, scheduled_at, attempted_at, completed_at, discarded_at, cancelled_at'

/** What a fetch wrote into every row it claimed, known without reading it back. */
export interface FetchedBy {
  queue: string
  /** This node and its producer's uuid, as the fetch writes `attempted_by`. */
  node: string
  producerUuid: string
}

/**
 * A fetched row as the JSON array of {@link JOB_ARRAY_COLUMNS} (timestamps are ISO 8601 strings
 * without an offset, read as UTC), completed with what the fetch set. One native JSON.parse of an
 * array per job costs about a third of the same row as an object with its keys, and the fetch's
 * client time is mostly parsing.
 */
export function jsonArrayToJob(values: unknown[], by: FetchedBy): Job {
  // Built directly rather than through rowToJob's row object: one object less per fetched job.
  const args = values[2]
  const job: Job = {
    id: values[0] as string,
    state: 'executing',
    queue: by.queue,
    worker: values[1] as string,
    args: objectOrEmpty(args),
    meta: objectOrEmpty(values[3]),
    tags: (values[4] as string[] | null) ?? [],
    errors: toJobErrors(values[5] as unknown[] | null),
    attempt: values[6] as number,
    maxAttempts: values[7] as number,
    priority: (values[8] as number | null) ?? 0,
    insertedAt: parseJsonTimestamp(values[9]) ?? new Date(NaN),
    scheduledAt: parseJsonTimestamp(values[10]) ?? new Date(NaN),
    attemptedAt: parseJsonTimestamp(values[11]),
    completedAt: parseJsonTimestamp(values[12]),
    discardedAt: parseJsonTimestamp(values[13]),
    cancelledAt: parseJsonTimestamp(values[14]),
    attemptedBy: [by.node, by.producerUuid],
  }
  if (!isObject(args)) markMalformed(job, args)
  return job
}

const MALFORMED = Symbol.for('oban-ts.malformed-job')

/**
 * Why a fetched row cannot be performed as stored (its args are not a JSON object), or undefined.
 * The executor fails such a job with this text instead of running the worker on made-up args.
 */
export function malformedReason(job: Job): string | undefined {
  return (job as Job & {[MALFORMED]?: string})[MALFORMED]
}

/**
 * Maps a row to a Job, defensively: a row written by another client (an Elixir node, psql) with
 * unexpected JSON (args that are not an object, a malformed errors entry) still maps, to the
 * nearest valid value, instead of stopping the queue that fetched it. Args that are not an object
 * are also recorded (see {@link malformedReason}) so that the job fails with a clear error.
 */
export function rowToJob(row: JobRow): Job {
  const job = toJob(row)
  if (!isObject(row.args)) markMalformed(job, row.args)
  return job
}

function markMalformed(job: Job, args: unknown): void {
  Object.defineProperty(job, MALFORMED, {
    value: `args must be a JSON object, but the stored args are ${JSON.stringify(args)?.slice(0, 200) ?? String(args)}`,
    enumerable: false,
  })
}

function toJob(row: JobRow): Job {
  return {
    id: String(row.id),
    state: row.state as JobState,
    queue: row.queue,
    worker: row.worker,
    args: objectOrEmpty(row.args),
    meta: objectOrEmpty(row.meta),
    tags: row.tags ?? [],
    errors: toJobErrors(row.errors),
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    priority: row.priority ?? 0,
    insertedAt: row.inserted_at,
    scheduledAt: row.scheduled_at,
    attemptedAt: row.attempted_at,
    completedAt: row.completed_at,
    discardedAt: row.discarded_at,
    cancelledAt: row.cancelled_at,
    attemptedBy: row.attempted_by,
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A stored JSON object, or `{}` for anything else (a row written by hand; see malformedReason for args). */
function objectOrEmpty(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {}
}

function toJobErrors(errors: unknown[] | null): JobError[] {
  return errors === null || errors.length === 0 ? [] : errors.map(toJobError)
}

function toJobError(value: unknown): JobError {
  const entry = isObject(value) ? value : {}
  return {
    attempt: typeof entry.attempt === 'number' ? entry.attempt : 0,
    at: typeof entry.at === 'string' ? entry.at : '',
    error: typeof entry.error === 'string' ? entry.error : JSON.stringify(value),
  }
}
