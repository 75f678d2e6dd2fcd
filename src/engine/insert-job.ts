import type {Queryable} from '../db/pool.js'
import {utcParam} from '../db/types.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../job.js'
import type {JobInsert} from '../job-spec.js'
import {qualified} from './tables.js'

/**
 * Inserts one validated job and returns it as stored. Columns the spec leaves to Oban's defaults
 * (errors, attempt, inserted_at) come from the table; `scheduled_at` is the database's "now" for
 * a job that is not scheduled, so a job is never due before the server thinks it was inserted.
 */
export async function insertJob(db: Queryable, prefix: string, job: JobInsert): Promise<Job> {
  const {rows} = await db.query<JobRow>({
    name: `oban_insert_job:${prefix}`,
    text: `INSERT INTO ${qualified(prefix, 'oban_jobs')}
             (state, queue, worker, args, meta, tags, max_attempts, priority, scheduled_at)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::text[], $7, $8,
                   COALESCE($9::timestamp, timezone('UTC', now())))
           RETURNING ${JOB_COLUMNS}`,
    values: [
      job.state,
      job.queue,
      job.worker,
      job.argsJson,
      job.metaJson,
      job.tags,
      job.maxAttempts,
      job.priority,
      job.scheduledAt ? utcParam(job.scheduledAt) : null,
    ],
  })
  return rowToJob(rows[0]!)
}
