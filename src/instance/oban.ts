import {EventEmitter} from 'node:events'
import {getJob, listJobs, type JobPage, type ListJobsOptions} from '../client/read-jobs.js'
import type {JobIdInput} from '../job/job-id.js'
import type pg from 'pg'
import type {Config, ObanOptions} from '../config/config.js'
import {createConfig} from './create-config.js'
import {ObanError, ConfigError} from '../errors.js'
import type {CancelledJob} from '../engine/cancel-jobs.js'
import {insertAllJobs} from '../client/insert-all.js'
import {insertJob, type InsertedResult, type InsertResult} from '../client/insert.js'
import type {Job} from '../job/job.js'
import type {JobSpec} from '../job/spec.js'
import {createLogger, type Logger} from '../telemetry/logger.js'
import type {QueueCheck} from '../queue/producer.js'
import {queueSignal, type QueueAction} from '../queue/signals.js'
import {cancelJobsById, sendQueueSignal} from '../client/queue-control.js'
import {registerInstance, unregisterInstance} from '../plugin/registry.js'
import {startRuntime, type DatabaseInfo, type Runtime, type StartOptions} from './runtime.js'
import type {WorkerRegistry} from '../job/worker-registry.js'

export type {DatabaseInfo, StartOptions} from './runtime.js'

/** Addresses a queue: every node (default), one named node, or only this node (`localOnly`). */
export interface QueueTarget {
  queue: string
  node?: string
  localOnly?: boolean
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped'

/**
 * An Oban instance: a named set of queues (and plugins) working on one database and schema.
 * Create it with options, which are validated at once (ConfigError before anything starts),
 * `start()` it, and `stop()` it. `stop()` is idempotent: it stops fetching, gives running jobs
 * the shutdown grace period, writes their outcomes, resigns leadership and releases every pool,
 * connection, timer and child process the instance owns (the embedded server too, if this
 * instance started it).
 *
 * Events: `started`; `stopped`; `failed` (error) when the instance stops itself because a plugin
 * crashed past its restart intensity under `pluginSupervision.onExhausted: 'escalate'` (then
 * `stopped` follows, and {@link Oban.untilStopped} rejects with that error).
 */
export class Oban extends EventEmitter {
  readonly config: Config
  readonly logger: Logger
  private state: State = 'new'
  private runtime?: Runtime
  private stopping?: Promise<void>
  private failure?: Error

  constructor(options: ObanOptions | Config = {}, logger?: Logger) {
    super()
    this.config = isConfig(options) ? options : createConfig(options)
    this.logger = logger ?? createLogger({level: this.config.logLevel, scope: this.config.name})
  }

  /** Validates options, starts an instance and resolves once it is running. */
  static async start(options: ObanOptions = {}, startOptions: StartOptions = {}): Promise<Oban> {
    const oban = new Oban(options)
    await oban.start(startOptions)
    return oban
  }

  get name(): string {
    return this.config.name
  }

  get running(): boolean {
    return this.state === 'running'
  }

  /** The database of a started instance. */
  get databaseInfo(): DatabaseInfo | undefined {
    return this.runtime?.database
  }

  /** The workers this node runs (from `workers` in the config). */
  get workers(): WorkerRegistry {
    return this.live().workers
  }

  /** Whether this node currently leads its instance (leader-only work runs here). */
  get isLeader(): boolean {
    return this.runtime?.peer.isLeader ?? false
  }

  /** Connects, checks (or applies) migrations and starts the notifier, leadership, queues and stager. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.state !== 'new')
      throw new ObanError(
        'already_started',
        `instance "${this.name}" was already started; create a new Oban to start again`,
      )
    this.state = 'starting'
    registerInstance(this.name)
    try {
      this.runtime = await startRuntime(this.config, this.logger, options, {onEscalate: (e) => this.fail(e)})
      this.state = 'running'
      this.emit('started')
    } catch (error) {
      unregisterInstance(this.name)
      this.state = 'stopped'
      throw error
    }
    // A plugin escalated while the instance was starting: it stops, and start() fails with the reason.
    if (this.failure) {
      await this.stop()
      throw this.failure
    }
  }

  /**
   * Resolves once the instance has stopped, by `stop()` or on its own; rejects with the reason
   * when it stopped itself because a plugin escalated its failure (`oban start` then exits with it).
   */
  untilStopped(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = () => (this.failure ? reject(this.failure) : resolve())
      if (this.state === 'stopped') settle()
      else this.once('stopped', settle)
    })
  }

  /** Stops the instance because part of it failed beyond recovery (a plugin escalated). */
  private fail(error: Error): void {
    if (this.failure || this.state === 'stopping' || this.state === 'stopped') return
    this.failure = error
    // The failing part has logged the details; this line says what happens next.
    this.logger.error(
      `instance "${this.name}" is stopping itself (${error instanceof ObanError ? error.code : error.name})`,
    )
    this.emit('failed', error)
    if (this.state === 'running')
      this.stop().catch((stopError: unknown) => this.logger.error(`while stopping: ${String(stopError)}`))
  }

  /** Stops the instance gracefully; safe to call more than once, or before start. */
  async stop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped'
      return
    }
    this.stopping ??= (async () => {
      this.state = 'stopping'
      const runtime = this.runtime
      this.runtime = undefined
      if (runtime) {
        const {orphaned} = await runtime.release()
        if (orphaned.length > 0)
          this.logger.warn(
            `${orphaned.length} jobs were still running at shutdown and stay executing until rescued: ${orphaned.join(', ')}`,
          )
      }
      unregisterInstance(this.name)
      this.state = 'stopped'
      this.emit('stopped')
    })()
    return this.stopping
  }

  /**
   * Inserts a job (`Email.new({to})`, or a spec with `worker`). Pass `{client}` to insert inside
   * your own transaction: the job and its notification then exist only if you commit.
   */
  insert(
    spec: JobSpec & {unique?: false | null},
    options?: {client?: pg.PoolClient | pg.Client},
  ): Promise<InsertedResult>
  insert(spec: JobSpec, options?: {client?: pg.PoolClient | pg.Client}): Promise<InsertResult>
  async insert(spec: JobSpec, options: {client?: pg.PoolClient | pg.Client} = {}): Promise<InsertResult> {
    return insertJob(this.insertContext(), spec, options)
  }

  /** Inserts many jobs in one transaction, one statement up to 2000 jobs (uniqueness is not checked, as in Oban). */
  async insertAll(specs: readonly JobSpec[], options: {client?: pg.PoolClient | pg.Client} = {}): Promise<Job[]> {
    return insertAllJobs(this.insertContext(), specs, options)
  }

  pauseQueue(target: QueueTarget): Promise<void> {
    return this.signal('pause', target)
  }

  resumeQueue(target: QueueTarget): Promise<void> {
    return this.signal('resume', target)
  }

  pauseAllQueues(target: Omit<QueueTarget, 'queue'> = {}): Promise<void> {
    return this.signal('pause', {...target, queue: '*'})
  }

  resumeAllQueues(target: Omit<QueueTarget, 'queue'> = {}): Promise<void> {
    return this.signal('resume', {...target, queue: '*'})
  }

  scaleQueue(target: QueueTarget & {limit: number}): Promise<void> {
    return this.signal('scale', target)
  }

  /** Starts a queue on every node (or one); not persisted, as in Oban. */
  startQueue(target: QueueTarget & {limit: number; paused?: boolean}): Promise<void> {
    return this.signal('start', target)
  }

  stopQueue(target: QueueTarget): Promise<void> {
    return this.signal('stop', target)
  }

  /**
   * Cancels jobs; executing ones are aborted where they run (Oban's `pkill`). Ids may be given as
   * strings, numbers or bigints (see `JobIdInput`); a bad one throws InvalidJobIdError.
   */
  cancelJobs(ids: readonly JobIdInput[]): Promise<CancelledJob[]> {
    return cancelJobsById(this.live().pool, this.config.prefix, ids)
  }

  /** One job of this instance's schema by id (string, number or bigint), or undefined. */
  getJob(id: JobIdInput): Promise<Job | undefined> {
    return getJob({pool: this.live().pool, prefix: this.config.prefix}, id)
  }

  /**
   * A page of this instance's jobs matching a filter, in order (newest first by default), with
   * a cursor for the next page: see `listJobs` in the library.
   */
  listJobs(options: ListJobsOptions = {}): Promise<JobPage> {
    return listJobs({pool: this.live().pool, prefix: this.config.prefix}, options)
  }

  /** This node's producer for a queue, as Oban's `check_queue`; undefined when not running here. */
  checkQueue(queue: string): QueueCheck | undefined {
    return this.live().queues.get(queue)?.check()
  }

  /** Every local producer, sorted by queue. */
  checkAllQueues(): QueueCheck[] {
    return this.live().queues.checkAll()
  }

  private async signal(action: QueueAction, target: QueueTarget & {limit?: number; paused?: boolean}): Promise<void> {
    const runtime = this.live()
    const node = target.localOnly ? this.config.node : target.node
    if (target.localOnly && target.queue !== '*' && action !== 'start' && !runtime.queues.get(target.queue)) {
      throw new ConfigError(`queue "${target.queue}" does not run on this node (${this.config.node})`)
    }
    const request = {queue: target.queue, instance: this.name, node, limit: target.limit, paused: target.paused}
    await sendQueueSignal(runtime.pool, this.config.prefix, action, request)
    // A node without a notifier hears no signal, not even its own: it applies its own here.
    if (this.config.notifier === 'none' && (node === undefined || node === this.config.node))
      runtime.queues.applySignal(queueSignal(action, request))
  }

  private insertContext() {
    const runtime = this.live()
    return {
      pool: runtime.pool,
      db: runtime.inserts,
      prefix: this.config.prefix,
      insertTrigger: this.config.insertTrigger,
    }
  }

  private live(): Runtime {
    if (!this.runtime) throw new ObanError('not_running', `instance "${this.name}" is not running: call start() first`)
    return this.runtime
  }
}

function isConfig(value: ObanOptions | Config): value is Config {
  return (
    Object.isFrozen(value) &&
    typeof (value as Config).node === 'string' &&
    typeof (value as Config).dispatchCooldown === 'number'
  )
}
