import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import type {JobState} from '../job/job.js'
import {qualified} from '../db/names.js'
import {stateArray} from './job-filter-sql.js'

/**
 * The states in which a job waits to run. A job in one of them with no attempt left
 * (`attempt >= max_attempts`) never runs: the fetch skips it (Oban's rule), staging only moves a
 * scheduled or retryable one to available, where it stays. Oban says nothing about such jobs; a
 * retry (`oban job retry`, retry-all-jobs.ts) gives them an attempt.
 */
export const WAITING_STATES: readonly JobState[] = ['available', 'scheduled', 'retryable']

/** Jobs of one queue, in one state, that can never run. */
export interface UnrunnableJobs {
  queue: string
  state: JobState
  count: number
  /** The lowest ids among them, at most `sample`. */
  ids: JobId[]
}

/**
 * Counts and names the jobs that can never run: available, scheduled or retryable with
 * `attempt >= max_attempts`, per queue and state (ordered by queue, then state), optionally only
 * in `queues`. Each group carries its `sample` lowest ids (default 10), so a listing can name a
 * few. For `oban queue list` and `oban status`: one statement, reading the waiting jobs through
 * the (state, queue, ...) index; groups without such jobs are absent.
 */
export async function findUnrunnableJobs(
  db: Queryable,
  prefix: string,
  options: {queues?: readonly string[]; sample?: number} = {},
): Promise<UnrunnableJobs[]> {
  const jobs = qualified(prefix, 'oban_jobs')
  const values: unknown[] = [options.queues ?? null, options.sample ?? 10]
  const waiting = stateArray(prefix, WAITING_STATES, values)
  const {rows} = await db.query<{queue: string; state: JobState; count: number; ids: string[] | null}>(
    `SELECT g.queue, g.state::text AS state, g.count,
            ARRAY(SELECT j.id FROM ${jobs} AS j
                   WHERE j.queue = g.queue AND j.state = g.state AND j.attempt >= j.max_attempts
                   ORDER BY j.id LIMIT $2) AS ids
       FROM (SELECT queue, state, count(*)::int AS count FROM ${jobs}
              WHERE state = ANY(${waiting}) AND attempt >= max_attempts
                AND ($1::text[] IS NULL OR queue = ANY($1::text[]))
              GROUP BY queue, state) AS g
      ORDER BY g.queue, g.state`,
    values,
  )
  return rows.map((row) => ({
    queue: row.queue,
    state: row.state,
    count: row.count,
    ids: (row.ids ?? []).map(String),
  }))
}
