import type pg from 'pg'
import {createPool, type Pool} from '../db/pool.js'
import {validatePrefix} from '../db/identifier.js'
import {ConfigError, ObanError} from '../errors.js'
import type {CancelledJob} from '../engine/cancel-jobs.js'
import type {Job} from '../job/job.js'
import type {JobIdInput} from '../job/job-id.js'
import type {JobSpec} from '../job/spec.js'
import type {QueueAction} from '../queue/signals.js'
import {runInline} from '../queue/run-inline.js'
import {WorkerRegistry} from '../job/worker-registry.js'
import type {Worker} from '../job/worker.js'
import {insertAllJobs} from './insert-all.js'
import {insertJob, type InsertContext, type InsertedResult, type InsertResult} from './insert.js'
import {cancelJobsById, sendQueueSignal} from './queue-control.js'

export interface ObanClientOptions {
  /** The database (default: `DATABASE_URL`). The client opens a small pool and ends it on `close()`. */
  databaseUrl?: string
  /** Your own pool instead: the client uses it and leaves it open on `close()`. */
  pool?: pg.Pool
  /** The schema of Oban's tables (default `public`). */
  prefix?: string
  /** The instance whose nodes queue signals address (default `Oban`). */
  name?: string
  /** Send Oban's `insert` notification for available jobs (default true), as the instance's option. */
  insertTrigger?: boolean
  /** Connections of the pool the client opens (default 5). */
  poolSize?: number
  /**
   * Oban's testing modes. `manual` (what the client always does): jobs are inserted, nothing
   * runs them. `inline`: an insert runs the job at once in the caller, through one of `workers`,
   * and touches no database (no URL needed); it resolves to the job in its final state.
   */
  testing?: 'disabled' | 'manual' | 'inline'
  /** The workers `testing: 'inline'` runs jobs with. */
  workers?: readonly unknown[]
}

/** Addresses a queue of the client's instance: every node (default) or one named node. */
export interface ClientQueueTarget {
  queue: string
  node?: string
}

/**
 * Writes to an instance's database without being one of its nodes: a web process inserting jobs
 * and sending queue signals. It opens no LISTEN connection, writes no presence row and never
 * takes part in leadership; it runs nothing. The nodes (oban-ts, Elixir or Python) hear about
 * inserted jobs and signals through PostgreSQL as if a node had sent them.
 *
 * ```ts
 * const client = new ObanClient({databaseUrl, prefix: 'public'})
 * await client.insert(Email.new({to}))
 * await client.insert(Email.new({to}), {client: tx}) // in your transaction
 * await client.close()
 * ```
 */
export class ObanClient {
  readonly prefix: string
  readonly name: string
  private readonly ctx: InsertContext
  private readonly ownsPool: boolean
  private readonly inline?: WorkerRegistry
  private closed?: Promise<void>

  constructor(options: ObanClientOptions = {}) {
    this.prefix = validatePrefix(options.prefix ?? 'public')
    this.name = options.name ?? 'Oban'
    if (options.testing === 'inline') {
      if (options.pool || options.databaseUrl)
        throw new ConfigError("ObanClient: testing: 'inline' runs jobs without a database; drop {databaseUrl}/{pool}")
      this.inline = new WorkerRegistry()
      for (const worker of options.workers ?? []) this.inline.register(worker as Worker, 'ObanClient workers')
      this.ownsPool = false
      this.ctx = {pool: undefined as unknown as Pool, prefix: this.prefix, insertTrigger: false}
      return
    }
    const url = options.databaseUrl ?? process.env.DATABASE_URL
    if (!options.pool && !url)
      throw new ConfigError('ObanClient needs a database: pass {databaseUrl}, {pool} or set DATABASE_URL')
    if (options.pool && options.databaseUrl)
      throw new ConfigError('ObanClient takes either {databaseUrl} or {pool}, not both')
    this.ownsPool = !options.pool
    const pool: Pool =
      options.pool ??
      createPool(url!, {max: options.poolSize ?? 5, applicationName: 'oban-ts client', onError: () => {}})
    this.ctx = {pool, prefix: this.prefix, insertTrigger: options.insertTrigger ?? true}
  }

  /** The pool the client writes through (its own, or the one it was given). */
  get pool(): pg.Pool {
    if (this.inline) throw new ObanError('testing_inline', "testing: 'inline' has no database, hence no pool")
    return this.ctx.pool
  }

  /**
   * Inserts a job (`Email.new({to})`), unique ones included. Pass `{client}` to insert inside
   * your own transaction: the job and its notification then exist only if you commit.
   */
  insert(
    spec: JobSpec & {unique?: false | null},
    options?: {client?: pg.PoolClient | pg.Client},
  ): Promise<InsertedResult>
  insert(spec: JobSpec, options?: {client?: pg.PoolClient | pg.Client}): Promise<InsertResult>
  async insert(spec: JobSpec, options: {client?: pg.PoolClient | pg.Client} = {}): Promise<InsertResult> {
    if (this.inline) return {job: await runInline(spec, this.inline, this.name), conflict: false, locked: false}
    return insertJob(this.open(), spec, options)
  }

  /** Inserts many jobs in one transaction, one statement up to 2000 jobs (uniqueness is not checked, as in Oban). */
  async insertAll(specs: readonly JobSpec[], options: {client?: pg.PoolClient | pg.Client} = {}): Promise<Job[]> {
    if (this.inline) {
      const jobs: Job[] = []
      for (const spec of specs) jobs.push(await runInline(spec, this.inline, this.name))
      return jobs
    }
    return insertAllJobs(this.open(), specs, options)
  }

  pauseQueue(target: ClientQueueTarget): Promise<void> {
    return this.signal('pause', target)
  }

  resumeQueue(target: ClientQueueTarget): Promise<void> {
    return this.signal('resume', target)
  }

  pauseAllQueues(target: {node?: string} = {}): Promise<void> {
    return this.signal('pause', {...target, queue: '*'})
  }

  resumeAllQueues(target: {node?: string} = {}): Promise<void> {
    return this.signal('resume', {...target, queue: '*'})
  }

  scaleQueue(target: ClientQueueTarget & {limit: number}): Promise<void> {
    return this.signal('scale', target)
  }

  /** Starts a queue on every node (or one); not persisted, as in Oban. */
  startQueue(target: ClientQueueTarget & {limit: number; paused?: boolean}): Promise<void> {
    return this.signal('start', target)
  }

  stopQueue(target: ClientQueueTarget): Promise<void> {
    return this.signal('stop', target)
  }

  /** Cancels jobs; executing ones are aborted where they run (Oban's `pkill`). */
  cancelJobs(ids: readonly JobIdInput[]): Promise<CancelledJob[]> {
    return cancelJobsById(this.open().pool, this.prefix, ids)
  }

  /** Ends the pool if the client opened it. Idempotent; the client refuses work afterwards. */
  close(): Promise<void> {
    this.closed ??= this.ownsPool ? this.ctx.pool.end() : Promise.resolve()
    return this.closed
  }

  private async signal(
    action: QueueAction,
    target: ClientQueueTarget & {limit?: number; paused?: boolean},
  ): Promise<void> {
    await sendQueueSignal(this.open().pool, this.prefix, action, {
      queue: target.queue,
      instance: this.name,
      node: target.node,
      limit: target.limit,
      paused: target.paused,
    })
  }

  private open(): InsertContext {
    if (this.inline)
      throw new ObanError('testing_inline', "testing: 'inline' has no database: only insert and insertAll work")
    if (this.closed) throw new ObanError('client_closed', 'this ObanClient was closed: create a new one')
    return this.ctx
  }
}
