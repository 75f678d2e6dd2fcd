import type {Queryable} from '../db/pool.js'
import {toJobIds, type JobIdInput} from '../job/job-id.js'
import {cancelJobs, type CancelledJob} from '../engine/cancel-jobs.js'
import {sendNotifications} from '../notifier/send.js'
import {pkillSignal, queueSignal, type QueueAction, type QueueSignalRequest} from '../queue/signals.js'

/**
 * Sends one of Oban's queue signals on `<prefix>.oban_signal`; every producer it addresses
 * (on any node, Elixir, Python or ours) acts on it. Usable without a running instance: this is
 * what `oban queue pause` does.
 */
export async function sendQueueSignal(
  db: Queryable,
  prefix: string,
  action: QueueAction,
  request: QueueSignalRequest,
): Promise<void> {
  await sendNotifications(db, prefix, 'signal', [queueSignal(action, request)])
}

/**
 * Cancels jobs as Oban's `cancel_all_jobs` does: non-final jobs become cancelled in one
 * statement, then a `pkill` signal goes out for each job that was executing, so the node running
 * it aborts it (it ends cancelled, with an error entry, unless it completed first). Ids are
 * checked first ({@link toJobIds}: InvalidJobIdError).
 */
export async function cancelJobsById(
  db: Queryable,
  prefix: string,
  ids: readonly JobIdInput[],
): Promise<CancelledJob[]> {
  const cancelled = await cancelJobs(db, prefix, toJobIds(ids))
  const executing = cancelled.filter((job) => job.previousState === 'executing')
  if (executing.length > 0)
    await sendNotifications(
      db,
      prefix,
      'signal',
      executing.map((job) => pkillSignal(job.id)),
    )
  return cancelled
}
