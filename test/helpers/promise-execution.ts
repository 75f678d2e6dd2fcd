import type {Ack} from '../../src/queue/acker.js'
import {JobAbort, type ExecutionDone, type RunningJob} from '../../src/queue/job-abort.js'
import type {Job} from '../../src/job/job.js'

/**
 * A producer's `execute` from a function that returns the ack as a promise: for tests that stand
 * in for the executor. The ack reaches `done` when the promise settles, as the executor's does.
 */
export function promiseExecution(
  run: (job: Job, abort: JobAbort) => Promise<Ack>,
): (job: Job, done: ExecutionDone) => RunningJob {
  return (job, done) => {
    const abort = Object.assign(new JobAbort(), {job})
    void run(job, abort).then((ack) => done(job, ack))
    return abort
  }
}
