import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import {qualified} from '../db/names.js'

export interface CancelledJob {
  id: JobId
  queue: string
  /** The state before cancelling: executing jobs must also be killed where they run. */
  previousState: string
}

/**
 * Oban's `cancel_all_jobs` for a list of ids: every job not already in a final state becomes
 * `cancelled` with `cancelled_at`; returns the jobs changed with their previous state.
 */
export async function cancelJobs(db: Queryable, prefix: string, ids: readonly JobId[]): Promise<CancelledJob[]> {
  const jobs = qualified(prefix, 'oban_jobs')
  const {rows} = await db.query<{id: string; queue: string; previous_state: string}>(
    `WITH target AS (
       SELECT id, state FROM ${jobs}
        WHERE id = ANY($1::bigint[]) AND state NOT IN ('completed', 'discarded', 'cancelled')
        FOR UPDATE
     )
     UPDATE ${jobs} AS j SET state = 'cancelled', cancelled_at = timezone('UTC', now())
       FROM target WHERE j.id = target.id
     RETURNING j.id, j.queue, target.state AS previous_state`,
    [ids],
  )
  return rows.map((r) => ({id: String(r.id), queue: r.queue, previousState: r.previous_state}))
}
