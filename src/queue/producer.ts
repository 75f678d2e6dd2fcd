import {randomUUID} from 'node:crypto'
import type {JobId} from '../job/job-id.js'
import type {Queryable} from '../db/pool.js'
import type {AckedAttempt} from '../engine/ack-jobs.js'
import {fetchJobs} from '../engine/fetch-jobs.js'
import {coerceError} from '../errors.js'
import type {Job} from '../job/job.js'
import type {Logger} from '../telemetry/logger.js'
import {execute as emit} from '../telemetry/telemetry.js'
import type {Ack, Acker} from './acker.js'
import type {ExecutionDone, RunningJob} from './job-abort.js'
import {retryDelay} from '../util/retry-delay.js'
import {setSafeTimeout} from '../util/timer.js'

export interface ProducerOptions {
  instance: string
  node: string
  prefix: string
  queue: string
  limit: number
  paused: boolean
  /** Average pause between a wake-up and its fetch; coalesces bursts of notifications. */
  dispatchCooldown: number
  /** Fetch at least this often even if no notification arrives (lost notifications, no leader). */
  pollInterval: number
  /** Where fetches run: the pool, or a lane of it (src/db/lane.ts). */
  db: Queryable
  acker: Acker
  logger: Logger
  /**
   * Starts one job and returns its handle; `done` receives the job's ack when it ends, never
   * synchronously. Must not throw (an unexpected throw is logged and the job left for rescue).
   */
  execute: (job: Job, done: ExecutionDone) => RunningJob
}

/** What `checkQueue` reports for a local producer, as Oban's `check_queue`. */
export interface QueueCheck {
  queue: string
  limit: number
  paused: boolean
  running: JobId[]
  node: string
  uuid: string
  startedAt: Date
}

// After a failed fetch (database down), wait 100ms doubling to 5s before the next attempt.
const FETCH_RETRY_BASE_MS = 100
const FETCH_RETRY_MAX_MS = 5_000

/**
 * The producer of one queue on this node. It fetches available jobs up to its free capacity
 * (`limit - running`) and hands each to an execution; outcomes go to the shared acker.
 *
 * Wake-ups: insert notifications, signals and the poll timer schedule a dispatch after the
 * cooldown (jittered between 0 and twice the cooldown, as Oban 2.23 does so nodes do not
 * stampede). While the last fetch filled all free slots (a backlog), a finishing job triggers
 * the next fetch at once: at most one fetch is in flight, and it asks for every slot freed
 * meanwhile. That keeps a busy queue's throughput bound by the database, not by the cooldown.
 */
export class Producer {
  readonly uuid = randomUUID()
  readonly startedAt = new Date()
  private limit: number
  private paused: boolean
  private readonly running = new Map<JobId, RunningJob>()
  /**
   * Jobs whose outcome is not to be written: left running at shutdown (a Lifeline rescues them),
   * or abandoned because they were rescued while this node was paused.
   */
  private readonly orphans = new Set<JobId>()
  private fetching = false
  /** Set by a shutdown that waits for the fetch in flight; called once that fetch handed over its jobs. */
  private fetchSettled?: () => void
  private again = false
  private backlog = false
  private stopping = false
  private fetchFailures = 0
  private dispatchTimer?: NodeJS.Timeout
  /** A settle-then-dispatch is queued (see {@link dispatchSoon}). */
  private settling = false
  /** Jobs finished so far; the settle loop waits until a microtask pass adds none. */
  private finished = 0
  /** When the last fetch made for a wake-up (not the producer's own look: start, poll) began. */
  private lastFetchAt = -Infinity
  private pollTimer?: NodeJS.Timeout
  private drained?: () => void

  constructor(private readonly options: ProducerOptions) {
    this.limit = options.limit
    this.paused = options.paused
  }

  get queue(): string {
    return this.options.queue
  }

  /** Starts polling and looks for work at once. */
  start(): void {
    this.schedulePoll()
    this.look(true)
  }

  /**
   * A reason to look for work: an insert notification, a signal, a reconnect (the start and the
   * poll timer look by themselves, see {@link look}). Throttled on the leading edge: if the last fetch started at least a cooldown ago the fetch
   * starts at once (no added latency for a job inserted into an idle queue); otherwise it waits
   * for the rest of a jittered cooldown (0 to 2x, an average of one cooldown, as Oban 2.23), so a
   * burst of notifications costs one fetch.
   */
  wake(): void {
    this.look(false)
  }

  /**
   * `own`: the producer's own look for work (at start, and the poll timer's), which does not start
   * a cooldown: it answers no wake-up, so a notification just after it is not part of a burst.
   * Before, a job inserted just after an idle queue's poll waited out the cooldown (8.6 ms against
   * ~2.3 ms in one traced run of an idle queue's latency). Wake-ups still throttle each other, so
   * nodes that keep fetching nothing because others took the jobs fetch at most once a cooldown.
   */
  private look(own: boolean): void {
    if (this.stopping || this.paused || this.dispatchTimer) return
    const cooldown = Math.random() * 2 * this.options.dispatchCooldown
    const wait = this.lastFetchAt + cooldown - performance.now()
    if (wait <= 0 && !this.fetching) {
      void this.dispatch(own)
      return
    }
    this.dispatchTimer = setSafeTimeout(
      () => {
        this.dispatchTimer = undefined
        void this.dispatch(own)
      },
      Math.max(0, wait),
    )
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    this.wake()
  }

  /** Changes the limit and/or the paused state, as Oban's `scale` signal. */
  scale(changes: {limit?: number; paused?: boolean}): void {
    if (changes.limit !== undefined) this.limit = changes.limit
    if (changes.paused !== undefined) this.paused = changes.paused
    this.wake()
  }

  /**
   * Aborts a running job's signal (Oban's `pkill`); its execution reports it cancelled.
   * Returns whether the job was running here.
   */
  kill(jobId: JobId, reason: unknown): boolean {
    const entry = this.running.get(jobId)
    if (!entry) return false
    entry.abort(reason)
    return true
  }

  /**
   * Stops running a job that is no longer this node's (rescued and run elsewhere while this node
   * was paused): its signal aborts with `reason` and its outcome is not written. Returns whether
   * the job was running here.
   */
  abandon(jobId: JobId, reason: unknown): boolean {
    const entry = this.running.get(jobId)
    if (!entry) return false
    this.orphans.add(jobId)
    entry.abort(reason)
    return true
  }

  /** The attempts running here: each job's id and the attempt this node fetched. */
  attempts(): AckedAttempt[] {
    return [...this.running.values()].map(({job}) => ({id: job.id, attempt: job.attempt}))
  }

  check(): QueueCheck {
    return {
      queue: this.queue,
      limit: this.limit,
      paused: this.paused,
      running: [...this.running.keys()],
      node: this.options.node,
      uuid: this.uuid,
      startedAt: this.startedAt,
    }
  }

  /**
   * Stops fetching and waits up to `graceMs` for running jobs to finish. Jobs still running then
   * are orphaned: their signals are aborted, their outcomes are not written, and they stay
   * `executing` until a Lifeline rescues them, as in Oban. Emits `queue:shutdown`.
   */
  async shutdown(graceMs: number): Promise<{orphaned: JobId[]}> {
    this.stopping = true
    this.paused = true
    clearTimeout(this.dispatchTimer)
    clearTimeout(this.pollTimer)
    this.dispatchTimer = this.pollTimer = undefined
    const started = performance.now()
    // A fetch in flight marks its jobs executing whatever happens here: they run, and are waited
    // for like the others, instead of being left executing by a node that already said it drained.
    // Bounded by the grace period, for a fetch that hangs on a lost database.
    if (this.fetching) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.fetchSettled = resolve
        timer = setSafeTimeout(resolve, graceMs)
      })
      clearTimeout(timer)
      this.fetchSettled = undefined
    }
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.drained = resolve
        timer = setSafeTimeout(resolve, graceMs)
      })
      clearTimeout(timer)
      this.drained = undefined
    }
    const orphaned = [...this.running.keys()]
    for (const id of orphaned) {
      this.orphans.add(id)
      this.running.get(id)?.abort(new Error('the queue shut down before the job finished'))
    }
    const elapsed = orphaned.length > 0 ? performance.now() - started : 0
    emit('queue:shutdown', {elapsed}, {instance: this.options.instance, queue: this.queue, orphaned})
    return {orphaned}
  }

  private schedulePoll(): void {
    if (this.stopping) return
    const interval = this.options.pollInterval
    // ±10% so the producers of many nodes drift apart instead of polling in step.
    this.pollTimer = setSafeTimeout(
      () => {
        this.look(true)
        this.schedulePoll()
      },
      interval * (0.9 + Math.random() * 0.2),
    )
  }

  /** Fetches while there is room and work; `own` as in {@link look}, for the first fetch only. */
  private async dispatch(own = false): Promise<void> {
    if (this.fetching) {
      this.again = true
      return
    }
    this.fetching = true
    try {
      do {
        this.again = false
        if (this.paused || this.stopping) break
        const demand = this.limit - this.running.size
        if (demand <= 0) break
        let jobs: Job[]
        if (!own) this.lastFetchAt = performance.now()
        // A fetch again in the same loop answers the wake-ups that came during the last one.
        own = false
        try {
          jobs = await fetchJobs(this.options.db, this.options.prefix, {
            queue: this.queue,
            demand,
            node: this.options.node,
            producerUuid: this.uuid,
            limit: this.limit,
          })
        } catch (error) {
          this.fetchFailed(error)
          break
        }
        this.fetchFailures = 0
        this.backlog = jobs.length === demand
        for (const job of jobs) this.run(job)
        if (this.backlog && this.limit - this.running.size > 0) this.again = true
      } while (this.again)
    } finally {
      this.fetching = false
      this.fetchSettled?.()
    }
  }

  /**
   * Fetches once the jobs finishing together have freed their slots, so one fetch asks for all
   * of them instead of one fetch per slot. Jobs that finish in the same tick complete within a
   * few microtask passes of each other: the check re-queues itself as a microtask while a pass
   * saw another job finish, then dispatches. Staying on the microtask queue (rather than
   * setImmediate) sends the next fetch before the event loop turns, and before the acker's
   * write of those jobs, which waits for the next check phase: the fetch is the critical path
   * of a busy queue, the ack is not.
   */
  private dispatchSoon(): void {
    if (this.settling || this.stopping) return
    this.settling = true
    let seen = this.finished
    const settle = () => {
      if (this.finished !== seen) {
        seen = this.finished
        queueMicrotask(settle)
        return
      }
      this.settling = false
      void this.dispatch()
    }
    queueMicrotask(settle)
  }

  private fetchFailed(error: unknown): void {
    this.fetchFailures++
    const err = coerceError(error)
    if (this.fetchFailures === 1)
      this.options.logger.warn(`queue ${this.queue}: fetching jobs failed (${err.message}); retrying`)
    if (this.stopping) return
    const delay = retryDelay(this.fetchFailures, {base: FETCH_RETRY_BASE_MS, max: FETCH_RETRY_MAX_MS})
    clearTimeout(this.dispatchTimer)
    this.dispatchTimer = setSafeTimeout(() => {
      this.dispatchTimer = undefined
      void this.dispatch()
    }, delay)
  }

  private run(job: Job): void {
    try {
      this.running.set(job.id, this.options.execute(job, this.done))
    } catch (error) {
      this.options.logger.error(`job ${job.id}: execution failed unexpectedly: ${coerceError(error).message}`)
    }
  }

  /**
   * A job's outcome: handed to the acker (unless the job was orphaned), and its slot freed. One
   * callback shared by every job of the producer, rather than a promise and closures per job.
   */
  private readonly done = (job: Job, ack: Ack): void => {
    if (!this.orphans.delete(job.id)) this.options.acker.push(ack)
    this.running.delete(job.id)
    this.finished++
    if (this.stopping) {
      if (this.running.size === 0) this.drained?.()
    } else if (this.backlog) {
      this.dispatchSoon()
    }
  }
}
