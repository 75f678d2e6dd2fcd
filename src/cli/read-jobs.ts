import {getJob} from '../engine/get-job.js'
import type {JobId} from '../job/job-id.js'
import {listJobs as selectJobs} from '../engine/list-jobs.js'
import {JobNotFoundError} from '../errors.js'
import type {Job} from '../job/job.js'
import type {CommandDatabase} from './database-command.js'
import type {JobListQuery} from './job-filter-flags.js'

/** `oban job list`: the jobs matching the query, up to its limit, in its order. */
export async function listJobs(db: CommandDatabase, prefix: string, query: JobListQuery): Promise<Job[]> {
  return selectJobs(db.pool, prefix, query.filter, {order: query.order, limit: query.limit})
}

/** `oban job show`: the job, or {@link JobNotFoundError} (exit 1) when no job has that id. */
export async function showJob(db: CommandDatabase, prefix: string, id: JobId): Promise<Job> {
  const job = await getJob(db.pool, prefix, id)
  if (!job) throw new JobNotFoundError([id], prefix)
  return job
}
