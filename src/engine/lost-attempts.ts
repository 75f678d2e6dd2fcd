import type {Queryable} from '../db/pool.js'
import type {JobState} from '../job/job.js'
import type {AckedAttempt, StaleAck} from './ack-jobs.js'
import {qualified} from '../db/names.js'

/**
 * Of the attempts this node is running (`id` and the `attempt` it fetched), those that are no
 * longer its own in the database: the job is not `executing`, is at another attempt, names
 * another node first in `attempted_by`, or no longer exists. A node asks after it was paused long
 * enough for its jobs to be rescued and run elsewhere; its acks for them would change nothing
 * (see ack-jobs.ts), so it can stop running them. Each comes with the row as it is now.
 */
export async function findLostAttempts(
  db: Queryable,
  prefix: string,
  node: string,
  attempts: readonly AckedAttempt[],
): Promise<StaleAck[]> {
  if (attempts.length === 0) return []
  const {rows} = await db.query<{
    id: string
    attempt: number
    state: JobState | null
    current_attempt: number | null
    attempted_by: string[] | null
  }>({
    name: `oban_ts_find_lost_attempts:${prefix}`,
    text: `SELECT u.id, u.attempt, j.state::text AS state, j.attempt AS current_attempt, j.attempted_by
             FROM unnest($1::bigint[], $2::int[]) AS u(id, attempt)
             LEFT JOIN ${qualified(prefix, 'oban_jobs')} AS j ON j.id = u.id
            WHERE j.id IS NULL
               OR NOT (j.state = 'executing' AND j.attempt = u.attempt AND j.attempted_by[1] IS NOT DISTINCT FROM $3)
            ORDER BY u.id`,
    values: [attempts.map((a) => a.id), attempts.map((a) => a.attempt), node],
  })
  return rows.map((row) => ({
    id: String(row.id),
    attempt: row.attempt,
    state: row.state,
    currentAttempt: row.current_attempt,
    attemptedBy: row.attempted_by,
  }))
}
