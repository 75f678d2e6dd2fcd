import {coerceError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import {retryDelay} from '../util/retry-delay.js'
import {setSafeTimeout} from '../util/timer.js'

/**
 * When a crashed child is restarted and when it is given up, after Erlang's supervisor
 * intensity: more than `maxRestarts` crashes within `period` ms and the child is given up. Each
 * restart waits `backoff` ms, doubled for every other crash within the period, up to
 * `maxBackoff` (a crash loop backs off instead of hammering a database that is down).
 */
export interface RestartPolicy {
  maxRestarts: number
  period: number
  backoff: number
  maxBackoff: number
}

/** `starting` (its start runs), `running`, `restarting` (crashed, restart pending), `failed` (given up), `stopped`. */
export type ChildStatus = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped'

/** One run of a child, from its start to its crash or stop. */
export interface Incarnation {
  /** Aborted when this incarnation ends (crash, restart or shutdown). */
  readonly signal: AbortSignal
  /** Reports a failure of background work: the supervisor stops and restarts the child. */
  crash(error: unknown): void
}

export interface ChildSpec<S> {
  readonly id: string
  /** Starts an incarnation; a throw or rejection is a crash in the `start` phase. */
  start(incarnation: Incarnation): Promise<S>
  /** Stops a started incarnation; a throw is logged, never a crash. */
  stop(service: S): Promise<void>
}

export interface CrashReport {
  readonly id: string
  readonly error: Error
  /** `start`: the start threw; `run`: the child reported a crash while running. */
  readonly phase: 'start' | 'run'
  /** How long the incarnation lived, in ms. */
  readonly lifetime: number
  /** Crashes within the period, this one included. */
  readonly recent: number
  /** Restarts so far, before this crash. */
  readonly restarts: number
  /** `restart` after `delay` ms, or `give-up`: the child stays `failed`. */
  readonly action: 'restart' | 'give-up'
  readonly delay?: number
}

/** What the owner hears. Handlers run synchronously; a throwing handler is logged and ignored. */
export interface SupervisorEvents<S> {
  starting?(id: string, restarts: number): void
  started?(id: string, service: S, info: {duration: number; restarts: number}): void
  crashed?(report: CrashReport): void
  stopped?(id: string, info: {lifetime: number}): void
}

export interface SupervisorOptions<S> {
  policy: RestartPolicy
  events?: SupervisorEvents<S>
  logger: Logger
  /** A start that has not settled after this many ms is a crash (default 15 s). */
  startTimeout?: number
  /** A stop that has not settled after this many ms is abandoned with a warning (default 5 s). */
  stopTimeout?: number
  now?: () => number
}

interface Child<S> {
  readonly spec: ChildSpec<S>
  status: ChildStatus
  service: S | undefined
  controller: AbortController | undefined
  /** Incremented per incarnation, so that a late `crash()` of an old one is ignored. */
  generation: number
  startedAt: number
  restarts: number
  lastError: Error | undefined
  /** Times of crashes within the period. */
  crashes: number[]
  timer: NodeJS.Timeout | undefined
  /** Operations on one child (start, crash handling, stop) run one after another. */
  chain: Promise<void>
}

/** What the owner may read about a child. */
export interface ChildState<S> {
  readonly status: ChildStatus
  readonly service: S | undefined
  readonly restarts: number
  readonly lastError: Error | undefined
}

/**
 * A one_for_one supervisor: each child is started, and restarted alone when it crashes (its
 * start throws or rejects, or it calls `crash`), with backoff, until it crashes more often than
 * the policy allows; it is then `failed` and left stopped, and `crashed` reports `give-up` so
 * the owner applies its policy (isolate or escalate). Unlike Erlang's, the intensity is counted
 * per child: a crashing child cannot use up its neighbours' budget.
 *
 * Nothing a child does can throw out of the supervisor: every start, stop and event runs inside
 * it with errors caught, so a crash never becomes an unhandled rejection. `stop()` stops the
 * children in reverse order of start and cancels pending restarts; it is idempotent.
 */
export class Supervisor<S> {
  private readonly children = new Map<string, Child<S>>()
  private stopping: Promise<void> | undefined
  private readonly now: () => number

  constructor(private readonly options: SupervisorOptions<S>) {
    this.now = options.now ?? Date.now
  }

  /** Starts a child and resolves once its first start has settled (a failed start is a crash: never rejects). */
  async startChild(spec: ChildSpec<S>): Promise<void> {
    if (this.stopping || this.children.has(spec.id)) return
    const child: Child<S> = {
      spec,
      status: 'starting',
      service: undefined,
      controller: undefined,
      generation: 0,
      startedAt: this.now(),
      restarts: 0,
      lastError: undefined,
      crashes: [],
      timer: undefined,
      chain: Promise.resolve(),
    }
    this.children.set(spec.id, child)
    await this.serial(child, () => this.launch(child))
  }

  child(id: string): ChildState<S> | undefined {
    return this.children.get(id)
  }

  /** Stops every child (reverse start order) and cancels pending restarts. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const child of [...this.children.values()].reverse()) {
        clearTimeout(child.timer)
        child.timer = undefined
        await this.serial(child, async () => {
          if (child.service !== undefined) {
            const lifetime = this.now() - child.startedAt
            await this.teardown(child)
            this.emit('stopped', () => this.options.events?.stopped?.(child.spec.id, {lifetime}))
          }
          if (child.status !== 'failed') child.status = 'stopped'
        })
      }
    })()
    return this.stopping
  }

  private async launch(child: Child<S>): Promise<void> {
    if (this.stopping) return
    const generation = ++child.generation
    const controller = new AbortController()
    let early: Error | undefined
    child.controller = controller
    child.status = 'starting'
    child.startedAt = this.now()
    this.emit('starting', () => this.options.events?.starting?.(child.spec.id, child.restarts))
    const incarnation: Incarnation = {
      signal: controller.signal,
      crash: (error) => {
        if (child.generation !== generation) return
        if (child.status === 'starting') early ??= coerceError(error)
        else if (child.status === 'running') this.crash(child, coerceError(error))
      },
    }
    try {
      child.service = await this.startWithTimeout(child, incarnation, controller)
    } catch (error) {
      controller.abort(error)
      return this.afterCrash(child, coerceError(error), 'start')
    }
    if (early) {
      await this.teardown(child)
      return this.afterCrash(child, early, 'run')
    }
    child.status = 'running'
    const info = {duration: this.now() - child.startedAt, restarts: child.restarts}
    this.emit('started', () => this.options.events?.started?.(child.spec.id, child.service as S, info))
  }

  private startWithTimeout(child: Child<S>, incarnation: Incarnation, controller: AbortController): Promise<S> {
    const ms = this.options.startTimeout ?? 15_000
    const started = Promise.resolve().then(() => child.spec.start(incarnation))
    return new Promise<S>((resolve, reject) => {
      const timer = setSafeTimeout(() => {
        reject(new Error(`${child.spec.id} did not finish starting within ${ms}ms`))
        // If it does start later, it is stopped at once: nobody supervises it any more.
        controller.abort()
        started.then((late) => this.stopQuietly(child, late)).catch(() => undefined)
      }, ms)
      started.then(resolve, reject).finally(() => clearTimeout(timer))
    })
  }

  /**
   * Marks the child restarting and aborts its signal at once (calls are refused, its work
   * unwinds), then tears it down and decides.
   */
  private crash(child: Child<S>, error: Error): void {
    child.status = 'restarting'
    child.controller?.abort(error)
    void this.serial(child, async () => {
      const lifetime = this.now() - child.startedAt
      await this.teardown(child)
      await this.afterCrash(child, error, 'run', lifetime)
    })
  }

  private async afterCrash(child: Child<S>, error: Error, phase: 'start' | 'run', lifetime?: number): Promise<void> {
    const {policy, events} = this.options
    const now = this.now()
    child.lastError = error
    child.crashes = child.crashes.filter((at) => now - at < policy.period)
    child.crashes.push(now)
    const base = {id: child.spec.id, error, phase, lifetime: lifetime ?? now - child.startedAt}
    const counts = {recent: child.crashes.length, restarts: child.restarts}
    if (this.stopping) {
      child.status = 'stopped'
      return
    }
    if (child.crashes.length > policy.maxRestarts) {
      child.status = 'failed'
      this.emit('crashed', () => events?.crashed?.({...base, ...counts, action: 'give-up'}))
      return
    }
    const delay = retryDelay(child.crashes.length, {base: policy.backoff, max: policy.maxBackoff})
    child.status = 'restarting'
    this.emit('crashed', () => events?.crashed?.({...base, ...counts, action: 'restart', delay}))
    child.timer = setSafeTimeout(() => {
      child.timer = undefined
      child.restarts += 1
      void this.serial(child, () => this.launch(child))
    }, delay)
  }

  private async teardown(child: Child<S>): Promise<void> {
    child.controller?.abort()
    const service = child.service
    child.service = undefined
    if (service !== undefined) await this.stopQuietly(child, service)
  }

  private async stopQuietly(child: Child<S>, service: S): Promise<void> {
    const ms = this.options.stopTimeout ?? 5_000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => (timer = setSafeTimeout(() => resolve('timeout'), ms)))
    try {
      const stopped = Promise.resolve().then(() => child.spec.stop(service))
      if ((await Promise.race([stopped, timeout])) === 'timeout') {
        this.options.logger.warn(`${child.spec.id} did not stop within ${ms}ms; leaving it behind`)
        stopped.catch(() => undefined)
      }
    } catch (error) {
      this.options.logger.warn(`${child.spec.id} failed to stop: ${coerceError(error).message}`)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Runs an operation after the child's previous ones; never rejects. */
  private serial(child: Child<S>, operation: () => Promise<void>): Promise<void> {
    child.chain = child.chain.then(operation).catch((error: unknown) => {
      this.options.logger.error(`supervisor: ${child.spec.id}: ${coerceError(error).message}`)
    })
    return child.chain
  }

  private emit(event: string, handler: () => void): void {
    try {
      handler()
    } catch (error) {
      this.options.logger.warn(`supervisor: a ${event} handler threw: ${coerceError(error).message}`)
    }
  }
}
