import type {Pool, PoolClient} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import {transactionOn} from '../db/transaction.js'
import {lockJobBatch} from '../engine/lock-job-batch.js'
import type {ChangedJob} from '../engine/retry-all-jobs.js'
import type {JobFilter} from '../job/filter.js'
import type {JobState} from '../job/job.js'
import type {JobAction} from './bulk-actions.js'

/** Jobs per batch: one short transaction each, so no lock is held long and memory stays flat. */
export const DEFAULT_BATCH_SIZE = 1_000

// Jobs that another transaction held locked are tried again after the sweep, this many times,
// this long apart: a node holds a job's lock only for the milliseconds of a fetch or an ack.
const RETRY_PASSES = 3
const RETRY_DELAY_MS = 100
// At most this many skipped ids are remembered for the retry passes; beyond it they are counted.
const MAX_REMEMBERED_SKIPS = 10_000

export interface BulkRunOptions {
  pool: Pool
  prefix: string
  action: JobAction
  filter: JobFilter
  batchSize?: number
  /** Remember the changed ids (for explicit ids; a filter over 100k jobs would hold them all). */
  trackIds?: boolean
  /** Called after each batch with the number of jobs changed so far. */
  onProgress?: (changed: number) => void
}

export interface BulkRun {
  changed: number
  /** How many changed jobs were in each state before. */
  byState: Partial<Record<JobState, number>>
  /** Executing jobs that were sent Oban's pkill (cancel only). */
  signalled: number
  /** Transactions that changed jobs. */
  batches: number
  /** Matching jobs left alone because another transaction held them locked on every pass. */
  skipped: number
  /** The skipped ids (up to 10,000 are remembered). */
  skippedIds: JobId[]
  /** With `trackIds`: the ids changed; otherwise null. */
  changedIds: JobId[] | null
}

/**
 * Applies a bulk action (retry, cancel, delete) to every job that matches the filter and that
 * the action applies to, in batches ordered by id, each in its own short transaction: the batch
 * is locked with SKIP LOCKED, changed, committed. Memory does not grow with the number of jobs,
 * no lock is held for longer than one batch, and nodes keep fetching and acknowledging meanwhile.
 * Jobs a node held locked during the sweep are tried again afterwards (a few times); those still
 * locked are reported as skipped. Each committed batch stays committed if a later one fails.
 */
export async function runBulkAction(options: BulkRunOptions): Promise<BulkRun> {
  const run: BulkRun = {
    changed: 0,
    byState: {},
    signalled: 0,
    batches: 0,
    skipped: 0,
    skippedIds: [],
    changedIds: options.trackIds ? [] : null,
  }
  const client = await options.pool.connect()
  let failed: Error | undefined
  try {
    let pending = await sweep(client, options, options.filter, run)
    for (let pass = 0; pass < RETRY_PASSES && pending.ids.length > 0; pass++) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS))
      const again = await sweep(client, options, {...options.filter, ids: pending.ids}, run)
      pending = {ids: again.ids, overflow: pending.overflow}
    }
    run.skippedIds = pending.ids
    run.skipped = pending.ids.length + pending.overflow
    return run
  } catch (error) {
    failed = error as Error
    throw error
  } finally {
    // A client whose transaction state is unknown is discarded rather than returned to the pool.
    client.release(failed)
  }
}

/** One pass over the matching jobs; returns the candidates it could not lock. */
async function sweep(
  client: PoolClient,
  options: BulkRunOptions,
  filter: JobFilter,
  run: BulkRun,
): Promise<{ids: JobId[]; overflow: number}> {
  const skipped = {ids: [] as JobId[], overflow: 0}
  let afterId: JobId = '0'
  for (;;) {
    let changed: ChangedJob[] = []
    let last: JobId | undefined
    await transactionOn(client, async () => {
      const batch = await lockJobBatch(client, options.prefix, {
        filter,
        states: options.action.states,
        outOfAttempts: options.action.outOfAttempts,
        afterId,
        size: options.batchSize ?? DEFAULT_BATCH_SIZE,
      })
      last = batch.candidates.at(-1)
      const locked = new Set(batch.locked.map((job) => job.id))
      for (const id of batch.candidates) {
        if (locked.has(id)) continue
        if (skipped.ids.length < MAX_REMEMBERED_SKIPS) skipped.ids.push(id)
        else skipped.overflow++
      }
      changed = locked.size > 0 ? await options.action.apply(client, options.prefix, [...locked]) : []
    })
    if (last === undefined) return skipped
    afterId = last
    if (changed.length === 0) continue
    run.batches++
    run.changed += changed.length
    for (const job of changed) {
      const state = job.previousState as JobState
      run.byState[state] = (run.byState[state] ?? 0) + 1
      if (state === 'executing' && options.action.name === 'cancel') run.signalled++
      run.changedIds?.push(job.id)
    }
    options.onProgress?.(run.changed)
  }
}
