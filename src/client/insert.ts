import type {Pool, Queryable} from '../db/pool.js'
import {inTransaction, type CallerClient} from '../db/transaction.js'
import {insertJob as insertJobRow} from '../engine/insert-job.js'
import {insertUniqueJob, type UniqueJobSpec, type UniqueInsertOutcome} from '../engine/insert-unique.js'
import type {Job} from '../job/job.js'
import {newJob, normalizeJobSpec, type JobSpec, type NormalizedJobSpec} from '../job/spec.js'
import {sendNotifications} from '../notifier/send.js'
import {span} from '../telemetry/telemetry.js'

/** What an insert needs from its instance. */
export interface InsertContext {
  pool: Pool
  /** Where a plain insert runs outside a caller's transaction (default: the pool). */
  db?: Queryable
  prefix: string
  /** Send Oban's `insert` notification for available jobs (the instance's `insertTrigger`). */
  insertTrigger: boolean
}

export interface InsertOptions {
  /**
   * Run every statement, and the notification, on this client: the caller's transaction. We
   * issue no BEGIN/COMMIT of our own on it, except on a client that is not in a transaction for a
   * unique insert (its lock needs one) and for a bulk insert of more than PIPELINE_CHUNK jobs (its
   * statements must commit together). Listeners hear about the jobs when the caller commits, and
   * never if it rolls back.
   */
  client?: CallerClient
}

/** A job as Oban returns it when a unique insert could not take its lock: never saved, no id. */
export type UnsavedJob = Omit<Job, 'id'> & {id: null}

/**
 * The result of {@link insertJob}. `conflict` is true when a unique job already existed: `job`
 * is that job (after `replace`). `locked` is true when another transaction was inserting the same
 * unique job at that moment: nothing was inserted and `job` is the unsaved job, with a null id.
 */
export type InsertResult = InsertedResult | {job: UnsavedJob; conflict: true; locked: true}

/** An insert that produced or found a saved job; always the result for a spec that is not unique. */
export type InsertedResult = {job: Job; conflict: boolean; locked: false}

/**
 * Inserts one job (Oban's `Oban.insert/2`): validates the spec (throwing JobValidationError
 * before touching the database), inserts it, or for a unique job runs Oban's lock-and-lookup in a
 * transaction, then notifies the job's queue when it is available and insertTrigger is on.
 */
export async function insertJob(
  ctx: InsertContext,
  spec: JobSpec & {unique?: false | null},
  options?: InsertOptions,
): Promise<InsertedResult>
export async function insertJob(ctx: InsertContext, spec: JobSpec, options?: InsertOptions): Promise<InsertResult>
export async function insertJob(ctx: InsertContext, spec: JobSpec, options: InsertOptions = {}): Promise<InsertResult> {
  const job = normalizeJobSpec(spec)
  return span('engine:insert_job', {prefix: ctx.prefix, worker: job.worker, queue: job.queue}, async () => {
    const db: Queryable = options.client ?? ctx.db ?? ctx.pool
    let result: InsertResult
    if (job.unique) {
      const outcome = await inTransaction(ctx.pool, options.client, (tx) =>
        insertUniqueJob(tx, ctx.prefix, job as UniqueJobSpec),
      )
      result = toResult(outcome, job)
      await notifyInserted(ctx, options.client, [result.job])
    } else {
      // The insert statement notifies by itself (one round trip).
      result = {
        job: await insertJobRow(db, ctx.prefix, job, {notify: ctx.insertTrigger}),
        conflict: false,
        locked: false,
      }
    }
    return {result, metadata: {job: result.job, conflict: result.conflict}}
  })
}

/**
 * One `insert` notification with a `{"queue": Q}` payload per distinct queue among the available
 * jobs (scheduled jobs wake nobody), as Oban's `notify_trigger`. On the pool the jobs are already
 * committed, so a failed notification is swallowed (Oban swallows notify timeouts): producers
 * find the jobs by polling. On the caller's client it is part of their transaction and throws.
 */
async function notifyInserted(
  ctx: InsertContext,
  client: InsertOptions['client'],
  jobs: readonly (Job | UnsavedJob)[],
) {
  if (!ctx.insertTrigger) return
  const queues = [...new Set(jobs.filter((job) => job.state === 'available').map((job) => job.queue))]
  if (queues.length === 0) return
  const payloads = queues.map((queue) => ({queue}))
  if (client) return sendNotifications(client, ctx.prefix, 'insert', payloads)
  await sendNotifications(ctx.pool, ctx.prefix, 'insert', payloads).catch(() => undefined)
}

function toResult(outcome: UniqueInsertOutcome, job: NormalizedJobSpec): InsertResult {
  if (outcome.outcome === 'locked') return {job: unsavedJob(job), conflict: true, locked: true}
  return {job: outcome.job, conflict: outcome.outcome === 'conflict', locked: false}
}

function unsavedJob(job: NormalizedJobSpec): UnsavedJob {
  return newJob(job, null, new Date())
}
