import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import {deleteAllJobs} from '../engine/delete-all-jobs.js'
import {retryAllJobs, type ChangedJob} from '../engine/retry-all-jobs.js'
import {JOB_STATES, type JobState} from '../job/job.js'
import {sendNotifications} from '../notifier/send.js'
import {cancelJobsById} from '../client/queue-control.js'

export type JobActionName = 'retry' | 'cancel' | 'delete'

/** What a bulk action does to a batch of locked job ids, and which jobs it applies to. */
export interface JobAction {
  name: JobActionName
  /** The states a job must be in for the action to change it (Oban's rules). */
  states: readonly JobState[]
  /** States in which it changes only jobs with no attempt left (`attempt >= max_attempts`). */
  outOfAttempts?: readonly JobState[]
  /** Past tense, for messages: `retried`. */
  done: string
  /** Applies the action to jobs this transaction has locked; returns those it changed. */
  apply(db: Queryable, prefix: string, ids: readonly JobId[]): Promise<ChangedJob[]>
}

const except = (...excluded: JobState[]) => JOB_STATES.filter((state) => !excluded.includes(state))

export const JOB_ACTIONS: Record<JobActionName, JobAction> = {
  retry: {
    name: 'retry',
    states: except('available', 'executing'),
    // Past Oban: an available job out of attempts is never fetched; a retry gives it an attempt.
    outOfAttempts: ['available'],
    done: 'retried',
    async apply(db, prefix, ids) {
      const retried = await retryAllJobs(db, prefix, ids)
      // Wakes the queues at commit, as an insert would; without it producers find the jobs on the
      // leader's next staging tick (about a second later).
      const queues = [...new Set(retried.map((job) => job.queue))]
      await sendNotifications(
        db,
        prefix,
        'insert',
        queues.map((queue) => ({queue})),
      )
      return retried
    },
  },
  cancel: {
    name: 'cancel',
    states: except('completed', 'discarded', 'cancelled'),
    done: 'cancelled',
    // Executing jobs get Oban's pkill, delivered at commit, so nodes see the job cancelled first.
    apply: (db, prefix, ids) => cancelJobsById(db, prefix, ids),
  },
  delete: {
    name: 'delete',
    states: except('executing'),
    done: 'deleted',
    apply: (db, prefix, ids) => deleteAllJobs(db, prefix, ids),
  },
}
