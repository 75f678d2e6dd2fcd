import type {Queryable} from '../db/pool.js'
import type {JobError} from '../job/job.js'
import {qualified} from '../db/names.js'

// Acknowledgements of executed jobs, one statement per outcome, each for many jobs at once:
// per-job acks are what bounds Oban's open-source engine (one UPDATE and commit per job), so
// the acker batches them. Each statement sets exactly the columns Oban's Basic engine sets for
// that outcome, so a row looks the same whichever node ran the job. None of them checks the
// current state, as in Oban: a job cancelled in the database while it ran, then completed,
// ends completed.

const NOW = `timezone('UTC', now())`

type Named = {name: string; text: string; values: unknown[]}
const run = (db: Queryable, statement: Named) => db.query(statement)

/** executing -> completed. */
export async function completeJobs(db: Queryable, prefix: string, ids: number[]): Promise<void> {
  await run(db, {
    name: `oban_complete_jobs:${prefix}`,
    text: `UPDATE ${qualified(prefix, 'oban_jobs')} SET state = 'completed', completed_at = ${NOW} WHERE id = ANY($1::bigint[])`,
    values: [ids],
  })
}

export interface RetryAck {
  id: number
  /** Backoff in seconds from now. */
  backoff: number
  error: JobError
}

/** executing -> retryable at now + backoff, with the error appended. */
export async function retryJobs(db: Queryable, prefix: string, acks: RetryAck[]): Promise<void> {
  await run(db, {
    name: `oban_retry_jobs:${prefix}`,
    text: `UPDATE ${qualified(prefix, 'oban_jobs')} AS j
              SET state = 'retryable',
                  scheduled_at = ${NOW} + make_interval(secs => u.backoff),
                  errors = j.errors || ARRAY[u.error]
             FROM unnest($1::bigint[], $2::float8[], $3::jsonb[]) AS u(id, backoff, error)
            WHERE j.id = u.id`,
    values: [acks.map((a) => a.id), acks.map((a) => a.backoff), acks.map((a) => a.error)],
  })
}

export interface ErrorAck {
  id: number
  /** Appended to `errors` when present. */
  error?: JobError
}

/** executing -> discarded (out of attempts, or a discard result), with the error appended. */
export async function discardJobs(db: Queryable, prefix: string, acks: ErrorAck[]): Promise<void> {
  await run(db, {
    name: `oban_discard_jobs:${prefix}`,
    text: `UPDATE ${qualified(prefix, 'oban_jobs')} AS j
              SET state = 'discarded',
                  discarded_at = ${NOW},
                  errors = CASE WHEN u.error IS NULL THEN j.errors ELSE j.errors || ARRAY[u.error] END
             FROM unnest($1::bigint[], $2::jsonb[]) AS u(id, error)
            WHERE j.id = u.id`,
    values: [acks.map((a) => a.id), acks.map((a) => a.error ?? null)],
  })
}

/** executing -> cancelled (a cancel result, or killed by pkill), with the error appended. */
export async function cancelExecutedJobs(db: Queryable, prefix: string, acks: ErrorAck[]): Promise<void> {
  await run(db, {
    name: `oban_cancel_executed_jobs:${prefix}`,
    text: `UPDATE ${qualified(prefix, 'oban_jobs')} AS j
              SET state = 'cancelled',
                  cancelled_at = ${NOW},
                  errors = CASE WHEN u.error IS NULL THEN j.errors ELSE j.errors || ARRAY[u.error] END
             FROM unnest($1::bigint[], $2::jsonb[]) AS u(id, error)
            WHERE j.id = u.id`,
    values: [acks.map((a) => a.id), acks.map((a) => a.error ?? null)],
  })
}

export interface SnoozeAck {
  id: number
  /** Seconds from now. */
  seconds: number
}

/**
 * executing -> scheduled at now + seconds. Oban's main branch semantics (the fix of oban#476,
 * which the released 2.23.1 lacks): a snooze gives the attempt back (`attempt - 1`) and counts
 * itself in `meta.snoozed`, so snoozing never exhausts attempts nor inflates the next backoff.
 */
export async function snoozeJobs(db: Queryable, prefix: string, acks: SnoozeAck[]): Promise<void> {
  await run(db, {
    name: `oban_snooze_jobs:${prefix}`,
    text: `UPDATE ${qualified(prefix, 'oban_jobs')} AS j
              SET state = 'scheduled',
                  scheduled_at = ${NOW} + make_interval(secs => u.seconds),
                  attempt = GREATEST(j.attempt - 1, 0),
                  meta = jsonb_set(COALESCE(j.meta, '{}'::jsonb), '{snoozed}',
                                   to_jsonb(COALESCE((j.meta ->> 'snoozed')::int, 0) + 1))
             FROM unnest($1::bigint[], $2::float8[]) AS u(id, seconds)
            WHERE j.id = u.id`,
    values: [acks.map((a) => a.id), acks.map((a) => a.seconds)],
  })
}
