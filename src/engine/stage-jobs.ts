import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import {qualified} from '../db/names.js'

/** A job the stager made available, with the state it left. */
export interface StagedJob {
  id: JobId
  queue: string
  state: 'scheduled' | 'retryable'
}

/**
 * Makes up to `limit` due jobs available: scheduled or retryable jobs whose `scheduled_at` has
 * passed. Picks them in Oban's open-source order (scheduled_at DESC, id DESC). Returns each staged
 * job with its previous state.
 *
 * Two additions to Oban's statement, both invisible on the wire:
 * - `FOR UPDATE SKIP LOCKED`: two stagers never block each other. That happens during a
 *   leadership hand-over, or with an Elixir leader and ours on one database. Each skips rows the
 *   other is moving.
 * - The CTE is an optimisation fence, as in fetch-jobs: the LIMIT is applied once, not per row.
 *
 * The outer state check repeats Oban's guard against a row that changed state between the pick and
 * the update.
 */
export async function stageJobs(db: Queryable, prefix: string, limit: number): Promise<StagedJob[]> {
  const jobs = qualified(prefix, 'oban_jobs')
  const {rows} = await db.query<{id: string | number; queue: string; state: StagedJob['state']}>({
    name: `oban_stage_jobs:${prefix}`,
    text: `WITH subset AS MATERIALIZED (
        SELECT id, state FROM ${jobs}
         WHERE state IN ('scheduled', 'retryable') AND scheduled_at <= timezone('UTC', now())
         ORDER BY scheduled_at DESC, id DESC
         LIMIT $1
         FOR UPDATE SKIP LOCKED
      )
      UPDATE ${jobs} AS j
         SET state = 'available'
        FROM subset
       WHERE j.id = subset.id AND j.state IN ('scheduled', 'retryable')
      RETURNING j.id, j.queue, subset.state`,
    values: [limit],
  })
  return rows.map((row) => ({id: String(row.id), queue: row.queue, state: row.state}))
}
