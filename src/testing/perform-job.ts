import {randomUUID} from 'node:crypto'
import type {Job, JobArgs} from '../job/job.js'
import {toJobResult, type JobResult} from '../job/result.js'
import {newJob, normalizeJobSpec, type JobOptions} from '../job/spec.js'
import type {Worker} from '../job/worker.js'

/** Options of {@link performJob}: a job's options, plus the attempt it runs as (default 1). */
export type PerformJobOptions = JobOptions & {attempt?: number}

/**
 * Runs a worker's `perform` on a job built as an insert would build it, as Oban's
 * `perform_job/3`: the options are validated (JobValidationError for an unknown one or a bad
 * value), the args go through JSON (what a worker reads back from the database), and the job is
 * `executing` at `attempt` (default 1). Resolves to the outcome (`{kind: 'ok' | 'error' | 'cancel'
 * | 'discard' | 'snooze', ...}`); what perform throws is thrown, and a value that is no outcome
 * is refused as the executor refuses it. No database is touched.
 */
export async function performJob<Args extends JobArgs>(
  worker: Worker<Args>,
  args: Args,
  options: PerformJobOptions = {},
): Promise<JobResult> {
  const {attempt = 1, ...jobOptions} = options
  const now = new Date()
  const spec = normalizeJobSpec(worker.new(args, jobOptions), undefined, {now})
  const job: Job<Args> = {
    ...newJob(spec, '1', now),
    args: JSON.parse(JSON.stringify(spec.args)) as Args,
    state: 'executing',
    attempt,
    attemptedAt: now,
    attemptedBy: ['testing', randomUUID()],
  }
  const controller = new AbortController()
  return toJobResult(await worker.definition.perform(job, {signal: controller.signal}))
}
