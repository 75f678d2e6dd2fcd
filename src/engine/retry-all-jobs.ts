import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import {qualified} from '../db/names.js'

/** A job whose state a bulk statement changed (or removed), with the state it left. */
export interface ChangedJob {
  id: JobId
  queue: string
  previousState: string
}

/**
 * Oban's `retry_all_jobs` for a list of ids: every job that is neither available nor executing
 * (scheduled and suspended included, as in Oban) becomes available now, with at least one attempt
 * left (`max_attempts = GREATEST(max_attempts, attempt + 1)`) and its completion, cancellation
 * and discard times cleared. Returns the jobs changed with their previous state.
 *
 * Past Oban: an available job with no attempt left (`attempt >= max_attempts`, which no fetch ever
 * takes: see unrunnable-jobs.ts) is retried too, which gives it its attempt; Oban leaves it
 * waiting for ever.
 */
export async function retryAllJobs(db: Queryable, prefix: string, ids: readonly JobId[]): Promise<ChangedJob[]> {
  const jobs = qualified(prefix, 'oban_jobs')
  const {rows} = await db.query<{id: string; queue: string; previous_state: string}>(
    `WITH target AS (
       SELECT id, state FROM ${jobs}
        WHERE id = ANY($1::bigint[])
          AND (state NOT IN ('available', 'executing') OR (state = 'available' AND attempt >= max_attempts))
        FOR UPDATE
     )
     UPDATE ${jobs} AS j
        SET state = 'available',
            max_attempts = GREATEST(j.max_attempts, j.attempt + 1),
            scheduled_at = timezone('UTC', now()),
            completed_at = NULL,
            cancelled_at = NULL,
            discarded_at = NULL
       FROM target WHERE j.id = target.id
     RETURNING j.id, j.queue, target.state AS previous_state`,
    [ids],
  )
  return rows.map((r) => ({id: String(r.id), queue: r.queue, previousState: r.previous_state}))
}
