import type {Job, JobError, JobState, JobTimestamp} from '../job/job.js'
import type {JobActionResult} from './act-on-jobs.js'
import {jobIdToJson} from '../job/job-id.js'

/**
 * A job as the `--json` output of the job commands prints it: the library's {@link Job} with
 * every timestamp as an ISO-8601 UTC string (or null); a time a JavaScript Date cannot hold is
 * the text PostgreSQL stores (`"infinity"`, `"-infinity"`). A stable, documented shape (README,
 * "Scripting"): fields are only ever added.
 */
export interface JobJson {
  /** A JSON integer with the id's exact digits: a bigint beyond 2^53 (written by src/util/json.ts). */
  id: number | bigint
  state: JobState
  queue: string
  worker: string
  args: Record<string, unknown>
  meta: Record<string, unknown>
  tags: string[]
  /** Oban's error entries, oldest first: `{attempt, at, error}`. */
  errors: JobError[]
  attempt: number
  maxAttempts: number
  priority: number
  insertedAt: string
  scheduledAt: string
  attemptedAt: string | null
  completedAt: string | null
  discardedAt: string | null
  cancelledAt: string | null
  /** `[node, producer uuid]` of the last fetch, or null. */
  attemptedBy: string[] | null
}

export function jobToJson(job: Job): JobJson {
  const iso = (date: JobTimestamp | null) =>
    date === null ? null : typeof date === 'string' ? date : date.toISOString()
  return {
    id: jobIdToJson(job.id),
    state: job.state,
    queue: job.queue,
    worker: job.worker,
    args: job.args,
    meta: job.meta,
    tags: job.tags,
    errors: job.errors,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    insertedAt: iso(job.insertedAt)!,
    scheduledAt: iso(job.scheduledAt)!,
    attemptedAt: iso(job.attemptedAt),
    completedAt: iso(job.completedAt),
    discardedAt: iso(job.discardedAt),
    cancelledAt: iso(job.cancelledAt),
    attemptedBy: job.attemptedBy,
  }
}

/**
 * The `--json` output of `oban job retry|cancel|delete`: the library's {@link JobActionResult}
 * with each id as a JSON integer of its exact digits.
 */
export type JobActionResultJson = Omit<JobActionResult, 'changedIds' | 'notFound' | 'notEligible'> & {
  changedIds: (number | bigint)[] | null
  notFound: (number | bigint)[]
  notEligible: {id: number | bigint; state: JobState}[]
}

export function jobActionResultToJson(result: JobActionResult): JobActionResultJson {
  return {
    ...result,
    changedIds: result.changedIds?.map(jobIdToJson) ?? null,
    notFound: result.notFound.map(jobIdToJson),
    notEligible: result.notEligible.map(({id, state}) => ({id: jobIdToJson(id), state})),
  }
}
