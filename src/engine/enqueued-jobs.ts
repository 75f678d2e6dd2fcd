import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow, type JobState} from '../job/job.js'

/** What an enqueued job must match; args and meta match when they contain the given keys and values. */
export interface EnqueuedFilter {
  worker?: string
  queue?: string
  args?: Record<string, unknown>
  meta?: Record<string, unknown>
  priority?: number
  tags?: readonly string[]
  /** Default: `available` and `scheduled`, as Oban.Testing. */
  states?: readonly JobState[]
}

/**
 * Jobs matching a filter, oldest first, at most `limit`: args and meta by containment (`@>`, so
 * nested objects match partially too), tags when the job has every one of them.
 */
export async function enqueuedJobs(
  db: Queryable,
  prefix: string,
  filter: EnqueuedFilter,
  limit: number,
): Promise<Job[]> {
  const states = qualified(prefix, 'oban_job_state')
  const {rows} = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM ${qualified(prefix, 'oban_jobs')}
      WHERE state = ANY($1::${states}[])
        AND ($2::text IS NULL OR worker = $2)
        AND ($3::text IS NULL OR queue = $3)
        AND ($4::jsonb IS NULL OR args @> $4)
        AND ($5::jsonb IS NULL OR meta @> $5)
        AND ($6::int IS NULL OR priority = $6)
        AND ($7::text[] IS NULL OR tags @> $7)
      ORDER BY id
      LIMIT $8`,
    [
      filter.states ?? ['available', 'scheduled'],
      filter.worker ?? null,
      filter.queue ?? null,
      filter.args === undefined ? null : JSON.stringify(filter.args),
      filter.meta === undefined ? null : JSON.stringify(filter.meta),
      filter.priority ?? null,
      filter.tags ?? null,
      limit,
    ],
  )
  return rows.map(rowToJob)
}
