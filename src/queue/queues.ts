import type {Config, NormalizedQueue} from '../config/config.js'
import type {JobId} from '../job/job-id.js'
import {stringifyJson} from '../util/json.js'
import type {Pool, Queryable} from '../db/pool.js'
import {findLostAttempts} from '../engine/lost-attempts.js'
import {coerceError} from '../errors.js'
import type {Job} from '../job/job.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier, Payload} from '../notifier/notifier.js'
import type {Acker} from './acker.js'
import {Producer, type QueueCheck} from './producer.js'
import type {ExecutionDone, RunningJob} from './job-abort.js'
import {parseSignal} from './signals.js'
import {LogBudget} from '../telemetry/log-budget.js'

export interface QueuesOptions {
  config: Config
  pool: Pool
  /** Where the producers' fetches run (default: the pool). */
  fetchDb?: Queryable
  notifier: Notifier
  acker: Acker
  logger: Logger
  /** How often an idle producer polls (default 1s). */
  pollInterval?: number
  /** Runs one job to its outcome (the executor, bound to the instance's workers). */
  execute: (job: Job, done: ExecutionDone) => RunningJob
}

/**
 * The queues of one instance on this node (Oban's Foreman and Queues/Midwife): starts the
 * configured producers, routes insert notifications to them, obeys the signals (pause, resume,
 * scale, pkill go to producers; start and stop create and remove producers), and shuts every
 * producer down within the grace period.
 */
export class Queues {
  private readonly producers = new Map<string, Producer>()
  private readonly malformedSignals = new LogBudget()
  private readonly unsubscribe: (() => void)[] = []
  private stopped = false
  private insertsHeard = false

  constructor(private readonly options: QueuesOptions) {}

  /**
   * Subscribes to signals (and to insert notifications when a queue is configured), then starts
   * the configured queues. Resolves once the subscriptions are in effect, so no signal sent after
   * start() returns is missed.
   */
  async start(): Promise<void> {
    const signals = this.options.notifier.listen('signal', (payload) => this.applySignal(payload))
    this.unsubscribe.push(signals)
    const queues = Object.entries(this.options.config.queues)
    const inserts = queues.length > 0 ? this.listenForInserts() : undefined
    for (const [queue, options] of queues) this.startQueue(queue, options)
    await Promise.all([signals.ready, inserts])
  }

  /**
   * Insert notifications matter only to a node that runs a queue: a node that only inserts (no
   * queues, as an application server often is) would otherwise receive, decode and drop one
   * notification per insert of the whole cluster, its own included. The subscription starts with
   * the first queue (configured or started by a signal; a new producer fetches at once, so
   * nothing inserted before the LISTEN takes effect waits for more than the first fetch).
   */
  private listenForInserts(): Promise<void> | undefined {
    if (this.insertsHeard) return
    this.insertsHeard = true
    const inserts = this.options.notifier.listen('insert', (payload) => this.onInsert(payload))
    this.unsubscribe.push(inserts)
    return inserts.ready
  }

  /** Wakes every producer: after a notifier reconnect, notifications may have been lost. */
  wakeAll(): void {
    for (const producer of this.producers.values()) producer.wake()
  }

  /**
   * Compares the jobs running here with the database and stops those that are no longer this
   * node's attempt: after a pause (SIGSTOP, a suspended VM) long enough for this node's presence
   * row to lapse, a Lifeline may have rescued them and another node may be running them again.
   * Each is aborted with a {@link JobRescued} reason and its outcome is not written (it would be
   * ignored anyway: acks apply only to the attempt fetched). Logged as one warning naming the
   * jobs and the nodes that hold them now. Returns the ids abandoned; never rejects (a failed
   * check is logged: the acks' fence still protects the other node's attempt).
   */
  async abandonLost(pausedMs: number): Promise<JobId[]> {
    const {pool, config, logger} = this.options
    const producers = [...this.producers.values()]
    const attempts = producers.flatMap((p) => p.attempts())
    if (attempts.length === 0) return []
    let lost
    try {
      lost = await findLostAttempts(pool, config.prefix, config.node, attempts)
    } catch (error) {
      logger.warn(
        `after a ${seconds(pausedMs)} pause, could not check whether this node's ${attempts.length} running jobs were rescued elsewhere: ${coerceError(error).message}`,
      )
      return []
    }
    const abandoned: string[] = []
    const ids: JobId[] = []
    for (const job of lost) {
      const holder = job.state === 'executing' ? job.attemptedBy?.[0] : undefined
      const reason = new JobRescued(job.id, holder)
      if (!producers.some((p) => p.abandon(job.id, reason))) continue
      ids.push(job.id)
      abandoned.push(
        `${job.id} (${holder === undefined ? `${job.state ?? 'deleted'} now` : `attempt ${job.currentAttempt} on ${holder}`})`,
      )
    }
    if (abandoned.length > 0)
      logger.warn(
        `this node (${config.node}) was paused for ${seconds(pausedMs)}; ${abandoned.length} of its running jobs are no longer its own and were aborted here: ${abandoned.join(', ')}`,
      )
    return ids
  }

  get(queue: string): Producer | undefined {
    return this.producers.get(queue)
  }

  /** Local producer checks, sorted by queue (Oban's `check_all_queues`). */
  checkAll(): QueueCheck[] {
    return [...this.producers.values()].map((p) => p.check()).sort((a, b) => a.queue.localeCompare(b.queue))
  }

  /** Starts a producer for a queue unless one runs already (as Oban leaves an existing queue alone). */
  startQueue(queue: string, options: Pick<NormalizedQueue, 'limit' | 'paused'> & {dispatchCooldown?: number}): boolean {
    if (this.stopped || this.producers.has(queue)) return false
    const {config} = this.options
    const producer = new Producer({
      instance: config.name,
      node: config.node,
      prefix: config.prefix,
      queue,
      limit: options.limit,
      paused: options.paused,
      dispatchCooldown: options.dispatchCooldown ?? config.dispatchCooldown,
      pollInterval: this.options.pollInterval ?? 1000,
      db: this.options.fetchDb ?? this.options.pool,
      acker: this.options.acker,
      logger: this.options.logger,
      execute: this.options.execute,
    })
    this.producers.set(queue, producer)
    void this.listenForInserts()
    producer.start()
    return true
  }

  /** Stops one queue gracefully (its running jobs get the grace period). */
  async stopQueue(queue: string): Promise<boolean> {
    const producer = this.producers.get(queue)
    if (!producer) return false
    this.producers.delete(queue)
    await producer.shutdown(this.options.config.shutdownGracePeriod)
    return true
  }

  /** Stops every queue concurrently, each with the grace period; returns the orphaned job ids. */
  async stop(): Promise<JobId[]> {
    this.stopped = true
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe()
    const producers = [...this.producers.values()]
    this.producers.clear()
    const results = await Promise.all(producers.map((p) => p.shutdown(this.options.config.shutdownGracePeriod)))
    return results.flatMap((r) => r.orphaned)
  }

  private onInsert(payload: Payload): void {
    const queue = payload.queue
    if (typeof queue === 'string') this.producers.get(queue)?.wake()
  }

  /**
   * Acts on a signal payload addressed to this node (the notifier filtered the ident). Public
   * for a node without a notifier (`notifier: 'none'`), which hears none: its own API calls
   * apply their signal here directly.
   */
  applySignal(payload: Payload): void {
    const parsed = parseSignal(payload)
    if (!parsed.ok) {
      const line = this.malformedSignals.admit(
        'signal',
        `ignored a signal: ${parsed.reason}: ${(stringifyJson(payload) ?? '').slice(0, 200)}`,
      )
      if (line) this.options.logger.warn(line)
      return
    }
    const signal = parsed.signal
    if (signal.action === 'pkill') {
      for (const producer of this.producers.values()) producer.kill(signal.jobId, new JobKilled(signal.jobId))
      return
    }
    if (signal.action === 'start') {
      this.startQueue(signal.queue, {limit: signal.limit, paused: signal.paused})
      return
    }
    if (signal.action === 'stop') {
      void this.stopQueue(signal.queue)
      return
    }
    const targets =
      signal.queue === '*'
        ? [...this.producers.values()]
        : [this.producers.get(signal.queue)].filter((p) => p !== undefined)
    for (const producer of targets) {
      if (signal.action === 'pause') producer.pause()
      else if (signal.action === 'resume') producer.resume()
      else if (signal.action === 'scale') producer.scale({limit: signal.limit, paused: signal.paused})
    }
  }
}

/**
 * The abort reason of a job this node stopped running because the database says it is no longer
 * this node's attempt (rescued while this node was paused; `holder` is the node running it now).
 */
export class JobRescued extends Error {
  constructor(
    readonly jobId: JobId,
    readonly holder: string | undefined,
  ) {
    super(`job ${jobId} was rescued while this node was paused${holder ? ` and now runs on ${holder}` : ''}`)
    this.name = 'JobRescued'
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

/** The abort reason of a job cancelled by a `pkill` signal. */
export class JobKilled extends Error {
  constructor(readonly jobId: JobId) {
    super(`job ${jobId} was cancelled while executing`)
    this.name = 'JobKilled'
  }
}
