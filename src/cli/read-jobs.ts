import {getJob, listPage} from '../client/read-jobs.js'
import {JobNotFoundError} from '../errors.js'
import type {JobId} from '../job/job-id.js'
import type {Job} from '../job/job.js'
import type {CommandDatabase} from './database-command.js'
import type {JobListQuery} from './job-filter-flags.js'

/** `oban job list`: the jobs matching the query, up to its limit, in its order (the library's listing). */
export async function listJobs(db: CommandDatabase, prefix: string, query: JobListQuery): Promise<Job[]> {
  return (await listPage(db.pool, prefix, query.filter, {order: query.order, limit: query.limit})).jobs
}

/** `oban job show`: the job, or {@link JobNotFoundError} (exit 1) when no job has that id. */
export async function showJob(db: CommandDatabase, prefix: string, id: JobId): Promise<Job> {
  const job = await getJob({pool: db.pool, prefix}, id)
  if (!job) throw new JobNotFoundError([id], prefix)
  return job
}
