import type {Pool, Queryable} from '../db/pool.js'
import {withTransaction} from '../db/transaction.js'
import {
  cancelExecutedJobs,
  completeJobs,
  discardJobs,
  retryJobs,
  snoozeJobs,
  type AckedAttempt,
  type ErrorAck,
  type RetryAck,
  type SnoozeAck,
  type StaleAck,
} from '../engine/ack-jobs.js'
import {coerceError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import {execute as emit} from '../telemetry/telemetry.js'
import {retryDelay} from '../util/retry-delay.js'

/**
 * The outcome of one executed job, as it must be written to the database: `id` and `attempt` name
 * the attempt this node fetched, and only that attempt is changed (see src/engine/ack-jobs.ts).
 */
export type Ack =
  | ({kind: 'complete'} & AckedAttempt)
  | ({kind: 'retry'} & RetryAck)
  | ({kind: 'discard'} & ErrorAck)
  | ({kind: 'cancel'} & ErrorAck)
  | ({kind: 'snooze'} & SnoozeAck)

export interface AckerOptions {
  pool: Pool
  /** Where a write of one statement runs (default: the pool); a write of several takes a pool client for its transaction. */
  db?: Queryable
  prefix: string
  /** The instance name, for telemetry. */
  instance: string
  /** This node's name: an ack applies only to a job this node is running (first in `attempted_by`). */
  node: string
  logger: Logger
  /** Called when a flush fails (the acks are kept and retried). */
  onError?: (error: Error) => void
}

// Retry delays after a failed flush: 100ms doubling to 5s, so a database restart is ridden out
// without hammering it, and acks go out within seconds of its return.
const RETRY_BASE_MS = 100
const RETRY_MAX_MS = 5_000

/**
 * Batches job acknowledgements. Executors push outcomes as jobs finish; one flush at a time
 * writes everything pending with one statement per outcome kind (a single statement, or one
 * transaction when several kinds are pending). This is what lets a queue drain at the speed of
 * its fetches instead of one UPDATE and commit per job. A failed flush keeps its acks and
 * retries with backoff, so a database blip loses nothing; `stop()` flushes what is left.
 *
 * An ack whose job is no longer the attempt this node fetched (rescued and run again elsewhere,
 * cancelled, deleted) changes nothing: it is logged as a warning naming the job, this node and
 * the node the row now names, and reported as a `job:stale_ack` event with measurements `{}` and
 * metadata `{instance, node, id, attempt, kind, state, currentAttempt, attemptedBy}` (the last
 * three as the row is now; `state` null when the job no longer exists).
 */
export class Acker {
  private pending: Ack[] = []
  private flushing?: Promise<void>
  private retryTimer?: NodeJS.Timeout
  private failures = 0
  private idle: (() => void)[] = []
  private immediate?: NodeJS.Immediate

  constructor(private readonly options: AckerOptions) {}

  /** Queues an outcome for the next flush (started at once if none is running). */
  push(ack: Ack): void {
    this.pending.push(ack)
    // Start the write after this macrotask, so outcomes of jobs finishing together share it.
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined
      this.kick()
    })
  }

  /** Number of outcomes not yet committed. */
  get backlog(): number {
    return this.pending.length
  }

  /**
   * Resolves when every ack pushed so far is committed, or rejects after `timeoutMs` (the acks
   * stay pending; their jobs stay `executing` for rescue if the process then exits). A pending
   * retry is brought forward.
   */
  async drain(timeoutMs = 15_000): Promise<void> {
    if (this.pending.length === 0 && !this.flushing) return
    if (this.immediate) {
      clearImmediate(this.immediate)
      this.immediate = undefined
      this.kick()
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer)
      this.retryTimer = undefined
      this.kick()
    }
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.idle.push(resolve)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(`${this.pending.length} job acknowledgements could not be written within ${timeoutMs}ms`),
              ),
            timeoutMs,
          )
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Stops retrying; acks still pending are dropped (their jobs stay executing until rescued). */
  stop(): number {
    clearImmediate(this.immediate)
    this.immediate = undefined
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    const dropped = this.pending.length
    this.pending = []
    return dropped
  }

  private kick(): void {
    if (this.flushing || this.retryTimer || this.pending.length === 0) return
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined
      if (this.retryTimer) return
      // Acks pushed while the last write was finishing.
      if (this.pending.length > 0) return this.kick()
      for (const resolve of this.idle.splice(0)) resolve()
    })
  }

  /** Writes until nothing is pending; on failure keeps the batch and schedules a retry. */
  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending
      this.pending = []
      try {
        await this.write(batch)
        this.failures = 0
      } catch (error) {
        this.pending = batch.concat(this.pending)
        this.failures++
        const err = coerceError(error)
        this.options.logger.warn(`writing ${batch.length} job acknowledgements failed (${err.message}); retrying`)
        this.options.onError?.(err)
        const delay = retryDelay(this.failures, {base: RETRY_BASE_MS, max: RETRY_MAX_MS})
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined
          this.kick()
        }, delay)
        return
      }
    }
  }

  private async write(batch: Ack[]): Promise<void> {
    const {pool, prefix, node} = this.options
    const groups = groupByKind(batch)
    type Statement = (db: Queryable) => Promise<{kind: Ack['kind']; stale: StaleAck[]}>
    const statement =
      <K extends Ack['kind']>(kind: K, write: (db: Queryable) => Promise<StaleAck[]>): Statement =>
      async (db) => ({kind, stale: await write(db)})
    const statements = [
      groups.complete.length > 0 && statement('complete', (db) => completeJobs(db, prefix, node, groups.complete)),
      groups.retry.length > 0 && statement('retry', (db) => retryJobs(db, prefix, node, groups.retry)),
      groups.discard.length > 0 && statement('discard', (db) => discardJobs(db, prefix, node, groups.discard)),
      groups.cancel.length > 0 && statement('cancel', (db) => cancelExecutedJobs(db, prefix, node, groups.cancel)),
      groups.snooze.length > 0 && statement('snooze', (db) => snoozeJobs(db, prefix, node, groups.snooze)),
    ].filter((s) => s !== false)
    const results =
      statements.length === 1
        ? [await statements[0]!(this.options.db ?? pool)]
        : await withTransaction(pool, async (client) => {
            const done: Awaited<ReturnType<Statement>>[] = []
            for (const run of statements) done.push(await run(client))
            return done
          })
    // Reported once committed: a rolled-back batch is retried, and reports then.
    for (const {kind, stale} of results) for (const ack of stale) this.reportStale(kind, ack)
  }

  private reportStale(kind: Ack['kind'], ack: StaleAck): void {
    const {instance, node, logger} = this.options
    logger.warn(
      `job ${ack.id}: ignored the ${kind} of attempt ${ack.attempt} from this node (${node}): ${describeRow(ack)}`,
    )
    emit(
      'job:stale_ack',
      {},
      {
        instance,
        node,
        id: ack.id,
        attempt: ack.attempt,
        kind,
        state: ack.state,
        currentAttempt: ack.currentAttempt,
        attemptedBy: ack.attemptedBy,
      },
    )
  }
}

/** What became of a job whose ack was stale, naming the node its row names now. */
function describeRow(ack: StaleAck): string {
  if (ack.state === null) return 'the job no longer exists'
  const holder = ack.attemptedBy?.[0]
  if (ack.state === 'executing')
    return `node ${holder ?? '(none)'} is running it now (attempt ${ack.currentAttempt}); it was rescued from this node`
  const last = holder === undefined ? 'no node' : `node ${holder}`
  return `it is ${ack.state} now (attempt ${ack.currentAttempt}, last fetched by ${last})`
}

function groupByKind(batch: Ack[]) {
  const groups = {
    complete: [] as Extract<Ack, {kind: 'complete'}>[],
    retry: [] as Extract<Ack, {kind: 'retry'}>[],
    discard: [] as Extract<Ack, {kind: 'discard'}>[],
    cancel: [] as Extract<Ack, {kind: 'cancel'}>[],
    snooze: [] as Extract<Ack, {kind: 'snooze'}>[],
  }
  for (const ack of batch) (groups[ack.kind] as Ack[]).push(ack)
  return groups
}
