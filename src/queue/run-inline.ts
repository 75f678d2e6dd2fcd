import type {Job} from '../job/job.js'
import {newJob, normalizeJobSpec, type JobSpec} from '../job/spec.js'
import type {WorkerRegistry} from '../job/worker-registry.js'
import {createLogger} from '../telemetry/logger.js'
import type {Ack} from './acker.js'
import {executeJob} from './executor.js'

let inlineIds = 0

/**
 * Runs a job at once in the caller, with no database, as Oban's `testing: :inline`: the spec is
 * validated as an insert would, its args go through JSON (what a worker would read back), one
 * attempt runs through the executor, and the job is returned in the state that attempt leads to
 * (`completed`, `retryable`, `discarded`, `cancelled`, or `scheduled` after a snooze). Nothing
 * is retried. Ids count down from -1, so they never look like a stored job's.
 */
export async function runInline(spec: JobSpec, workers: WorkerRegistry, instance: string): Promise<Job> {
  const now = new Date()
  const normalized = normalizeJobSpec(spec, undefined, {now})
  const args = JSON.parse(JSON.stringify(normalized.args)) as Job['args']
  const job: Job = {
    ...newJob({...normalized, args}, String(--inlineIds), now),
    state: 'executing',
    attempt: 1,
    attemptedAt: now,
    attemptedBy: ['inline'],
  }
  const ack = await executeJob(job, {
    instance,
    prefix: 'inline',
    workers,
    logger: createLogger({level: 'silent'}),
  })
  return settle(job, ack, new Date())
}

function settle(job: Job, ack: Ack, at: Date): Job {
  const errors = 'error' in ack && ack.error ? [...job.errors, ack.error] : job.errors
  switch (ack.kind) {
    case 'complete':
      return {...job, state: 'completed', completedAt: at}
    case 'retry':
      return {...job, state: 'retryable', errors, scheduledAt: new Date(at.getTime() + ack.backoff * 1000)}
    case 'discard':
      return {...job, state: 'discarded', errors, discardedAt: at}
    case 'cancel':
      return {...job, state: 'cancelled', errors, cancelledAt: at}
    case 'snooze':
      return {
        ...job,
        state: 'scheduled',
        attempt: job.attempt - 1,
        scheduledAt: new Date(at.getTime() + ack.seconds * 1000),
      }
  }
}
