import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../job/job.js'
import {qualified} from '../db/names.js'

/** One job by id, or undefined when there is none. */
export async function getJob(db: Queryable, prefix: string, id: JobId): Promise<Job | undefined> {
  const {rows} = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM ${qualified(prefix, 'oban_jobs')} WHERE id = $1`, [
    id,
  ])
  return rows[0] === undefined ? undefined : rowToJob(rows[0])
}
