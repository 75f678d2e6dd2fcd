import {utcParam} from '../../src/db/types.js'
import type {JobId} from '../../src/job/job-id.js'
import {qualified} from '../../src/db/names.js'
import type {Repo} from '../../src/plugin/plugin.js'

/** The states the Pruner deletes. */
export type PrunableState = 'completed' | 'cancelled' | 'discarded'

/** A deleted job, as Oban's `pruned_jobs` telemetry lists it. */
export interface PrunedJob {
  id: JobId
  queue: string
  state: PrunableState
}

export interface PruneJobsOptions {
  /** At most this many jobs per call. */
  limit: number
  /** Age in milliseconds past which a job of each state is deleted. */
  maxAge: Readonly<Record<PrunableState, number>>
  /** The clock the ages are measured against; the database's when undefined. */
  now?: Date
}

/**
 * Deletes up to `limit` finished jobs older than their state's max age and returns them: Oban's
 * `prune_jobs` (Basic engine, v2.23.1), which ages each state by its own timestamp:
 *
 * - `completed` by `scheduled_at`: Oban's choice, since its fetch index covers (state, ...,
 *   scheduled_at) while no index covers `completed_at`; a job completed long after it was
 *   scheduled is therefore pruned sooner than its completion time suggests;
 * - `cancelled` by `cancelled_at`, `discarded` by `discarded_at`.
 *
 * Jobs without a queue are left alone, as in Oban. `FOR UPDATE SKIP LOCKED` (an addition, invisible
 * on the wire) keeps two pruners (a leadership hand-over, an Elixir leader next to ours) from
 * blocking each other; the materialised CTE applies the limit once.
 */
export async function pruneJobs(repo: Repo, options: PruneJobsOptions): Promise<PrunedJob[]> {
  const jobs = qualified(repo.prefix, 'oban_jobs')
  const now = `COALESCE($2::timestamp, timezone('UTC', now()))`
  const rows = await repo.query<{id: string | number; queue: string; state: PrunableState}>(
    `WITH prunable AS MATERIALIZED (
       SELECT id FROM ${jobs}
        WHERE queue IS NOT NULL
          AND (   (state = 'completed' AND scheduled_at < ${now} - make_interval(secs => $3::float8))
               OR (state = 'cancelled' AND cancelled_at < ${now} - make_interval(secs => $4::float8))
               OR (state = 'discarded' AND discarded_at < ${now} - make_interval(secs => $5::float8)))
        LIMIT $1
        FOR UPDATE SKIP LOCKED
     )
     DELETE FROM ${jobs} AS j
      USING prunable
      WHERE j.id = prunable.id
     RETURNING j.id, j.queue, j.state::text AS state`,
    [
      options.limit,
      options.now ? utcParam(options.now) : null,
      options.maxAge.completed / 1000,
      options.maxAge.cancelled / 1000,
      options.maxAge.discarded / 1000,
    ],
  )
  return rows.map((row) => ({id: String(row.id), queue: row.queue, state: row.state}))
}
