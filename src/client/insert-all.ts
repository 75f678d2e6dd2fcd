import type {Queryable} from '../db/pool.js'
import {inTransaction, type CallerClient} from '../db/transaction.js'
import {
  insertAllJobs as insertAllJobRows,
  insertedJobs,
  insertRowsStatement,
  runInsertRows,
  type InsertedRows,
} from '../engine/insert-all-jobs.js'
import {JobValidationError, type JobIssue} from '../errors.js'
import type {Job} from '../job/job.js'
import {checkJobSpec, type JobSpec, type NormalizedJobSpec} from '../job/spec.js'
import {isObserved, span} from '../telemetry/telemetry.js'
import type {InsertContext} from './insert.js'

/**
 * Jobs per statement of a pipelined bulk insert. A batch of more than this many is inserted in
 * one transaction, one statement per chunk: while the server inserts a chunk, this process
 * validates and serialises the next and builds the jobs of the previous, so the client's work
 * (validation, JSON, job objects: about a third of a 20k insert in a fresh process, where V8 has
 * not optimised our code yet) overlaps the server's instead of adding to it. The rows, their
 * inserted_at (the transaction's now()), the notifications (PostgreSQL delivers identical ones
 * of a transaction once, on commit) and all-or-nothing are those of one statement.
 */
export const PIPELINE_CHUNK = 2000
const FIRST_CHUNK = 250
const CHECK_STEP = 250

/**
 * Inserts many jobs (Oban's `Oban.insert_all/2`) and returns them in input order. Every spec is
 * validated; problems of all of them are reported at once (`jobs[3].priority: ...`) and nothing
 * is inserted. As in Oban's open-source engine, unique options are ignored here: use insertJob
 * for unique jobs. A batch of up to {@link PIPELINE_CHUNK} jobs is one statement; a larger one
 * is pipelined in a transaction (the caller's, when `client` is in one).
 */
export async function insertAllJobs(
  ctx: InsertContext,
  specs: readonly JobSpec[],
  options: {client?: CallerClient} = {},
): Promise<Job[]> {
  // A listener on the insert span is told of an insert only once its specs are valid, which
  // pipelining (validation interleaved with statements) cannot promise: validate first then.
  if (specs.length <= PIPELINE_CHUNK || isObserved('engine:insert_all_jobs:')) {
    const jobs = validateAll(specs)
    return span('engine:insert_all_jobs', {prefix: ctx.prefix, count: jobs.length}, async () => {
      // The statement sends the insert notifications itself (one round trip).
      const inserted = await insertAllJobRows(options.client ?? ctx.db ?? ctx.pool, ctx.prefix, jobs, {
        notify: ctx.insertTrigger,
      })
      return {result: inserted, metadata: {jobs: inserted}}
    })
  }
  return inTransaction(ctx.pool, options.client, (db) => pipelined(ctx, db, specs))
}

async function pipelined(ctx: InsertContext, db: Queryable, specs: readonly JobSpec[]): Promise<Job[]> {
  const issues: JobIssue[] = []
  const now = new Date()
  // Checked chunks wait here for the connection, which takes one statement at a time.
  const ready: NormalizedJobSpec[][] = []
  const inserted: Job[][] = []
  let failure: {error: unknown} | undefined
  let sending: Promise<void> | undefined
  const send = async () => {
    // While a chunk's statement runs, the next chunk's statement is made and the previous
    // chunk's jobs are built: the server is kept busy and the client's work is off its path.
    const prepare = (jobs: NormalizedJobSpec[] | undefined) =>
      jobs && {jobs, statement: insertRowsStatement(ctx.prefix, jobs, {notify: ctx.insertTrigger})}
    let next = prepare(ready.shift())
    let previous: {jobs: NormalizedJobSpec[]; rows: InsertedRows} | undefined
    while (next && !failure) {
      const running = runInsertRows(db, next.statement)
      const after = prepare(ready.shift())
      if (previous) inserted.push(insertedJobs(previous.jobs, previous.rows))
      try {
        previous = {jobs: next.jobs, rows: await running}
      } catch (error) {
        failure = {error}
        previous = undefined
      }
      next = after ?? prepare(ready.shift())
    }
    if (previous) inserted.push(insertedJobs(previous.jobs, previous.rows))
    sending = undefined
  }
  // Specs are checked a step at a time, yielding between steps, so that a statement's reply is
  // read and the next chunk sent within a step's time. The server waits for the first chunk: a
  // small one gets it going sooner; chunks then double up to PIPELINE_CHUNK.
  let chunk: NormalizedJobSpec[] = []
  let size = FIRST_CHUNK
  for (let start = 0; start < specs.length; start += CHECK_STEP) {
    const end = Math.min(start + CHECK_STEP, specs.length)
    checkChunk(specs, start, end, now, issues, chunk)
    // After the first invalid spec nothing more is sent; the rest is only checked, so that the
    // error lists every problem, and the transaction is rolled back.
    if (issues.length > 0 || failure) continue
    if (chunk.length >= size || end === specs.length) {
      ready.push(chunk)
      chunk = []
      size = Math.min(2 * size, PIPELINE_CHUNK)
      sending ??= send()
    }
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  // Every statement must have settled before the transaction ends, failed or not.
  while (sending) await sending
  if (issues.length > 0) throw new JobValidationError(issues)
  if (failure) throw failure.error
  return inserted.flat()
}

function validateAll(specs: readonly JobSpec[]): NormalizedJobSpec[] {
  const issues: JobIssue[] = []
  const jobs = checkChunk(specs, 0, specs.length, new Date(), issues, [])
  if (issues.length > 0) throw new JobValidationError(issues)
  return jobs
}

/** Checks `specs[start..end)`, adding the jobs to `into` and their problems to `issues` as `jobs[i].field`. */
function checkChunk(
  specs: readonly JobSpec[],
  start: number,
  end: number,
  now: Date,
  issues: JobIssue[],
  into: NormalizedJobSpec[],
): NormalizedJobSpec[] {
  // One list for every spec's issues, emptied after each: a bulk insert checks thousands.
  const jobIssues: JobIssue[] = []
  for (let index = start; index < end; index++) {
    const job = checkJobSpec(specs[index], undefined, now, jobIssues)
    if (job) into.push(job)
    for (const issue of jobIssues) issues.push({field: `jobs[${index}].${issue.field}`, rule: issue.rule})
    jobIssues.length = 0
  }
  return into
}
