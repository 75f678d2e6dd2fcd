import type {Config} from '../config/config.js'
import type {Logger} from '../telemetry/logger.js'
import type {PluginContext, PluginService, Repo} from './plugin.js'
import {setSafeTimeout} from '../util/timer.js'

/** A periodic job started by {@link PluginBase.every}. */
export interface Ticker {
  /** Runs the job now, or joins the run in progress; rejects with its error (the caller's to handle). */
  runNow(): Promise<void>
  /** No more scheduled runs until `resume()`; a run in progress finishes. */
  pause(): void
  /** Schedules runs again, the next one after an interval (or at once with `immediate`). */
  resume(options?: {immediate?: boolean}): void
  readonly paused: boolean
}

/**
 * A base class for plugin services, with helpers that keep work inside the supervisor: every
 * error of work started through them goes to `context.crash` (the plugin is restarted) instead of
 * becoming an unhandled rejection, and `stop()` clears every timer and waits for running work.
 *
 * - `every(interval, fn)`: runs `fn` every `interval` ms, self-rescheduling after each run ends
 *   (runs never overlap); a throw or rejection crashes the plugin.
 * - `sleep(ms)`: resolves after `ms`, or rejects with an AbortError as soon as the plugin stops,
 *   so a loop inside `run` unwinds at once.
 * - `run(fn)`: starts a task and tracks it; a rejection crashes the plugin (unless it comes from
 *   the plugin stopping). Resolves to its result, or undefined if it failed.
 *
 * Subclasses override `start()` (return promptly: long work goes through the helpers) and may
 * override `stop()` and `status()`, calling `super.stop()`. Nothing requires the base class: a
 * plugin may implement {@link PluginService} by hand, provided it clears its own timers in
 * `stop()` and reports failures of background work with `context.crash(error)` rather than
 * throwing them where nobody catches them.
 */
export abstract class PluginBase<Options = unknown> implements PluginService {
  private readonly controller = new AbortController()
  private readonly tasks = new Set<Promise<unknown>>()
  private readonly tickers = new Set<{cancel(): void}>()

  constructor(
    protected readonly context: PluginContext,
    protected readonly options: Options,
  ) {
    if (context.signal.aborted) this.controller.abort()
    else context.signal.addEventListener('abort', () => this.controller.abort(), {once: true})
  }

  /** Aborted when the plugin stops (or its incarnation ends); pass it to queries and fetches. */
  protected get signal(): AbortSignal {
    return this.controller.signal
  }

  protected get conf(): Config {
    return this.context.conf
  }

  protected get repo(): Repo {
    return this.context.repo
  }

  protected get logger(): Logger {
    return this.context.logger
  }

  /** Override to begin work. */
  start(): void | Promise<void> {}

  /** Aborts the signal, cancels every ticker and waits for running work. Idempotent. */
  async stop(): Promise<void> {
    this.controller.abort()
    for (const ticker of this.tickers) ticker.cancel()
    this.tickers.clear()
    await Promise.allSettled([...this.tasks])
  }

  status(): 'running' | 'paused' {
    return 'running'
  }

  /** Reports a failure to the supervisor: the plugin is stopped and restarted. */
  protected crash(error: unknown): void {
    if (!this.signal.aborted) this.context.crash(error)
  }

  protected every(
    interval: number,
    fn: (signal: AbortSignal) => unknown,
    options: {immediate?: boolean; paused?: boolean} = {},
  ): Ticker {
    let timer: NodeJS.Timeout | undefined
    let inFlight: Promise<void> | undefined
    let paused = options.paused ?? false
    let cancelled = false
    const execute = (): Promise<void> =>
      (inFlight ??= this.track(Promise.resolve().then(() => fn(this.signal))).then(
        () => {
          inFlight = undefined
        },
        (error: unknown) => {
          inFlight = undefined
          throw error
        },
      ))
    const schedule = (delay: number) => {
      clearTimeout(timer)
      timer = undefined
      if (cancelled || paused || this.signal.aborted) return
      timer = setSafeTimeout(() => {
        timer = undefined
        execute().then(
          () => schedule(interval),
          (error: unknown) => this.crash(error),
        )
      }, delay)
    }
    const ticker = {
      cancel: () => {
        cancelled = true
        clearTimeout(timer)
        timer = undefined
      },
    }
    this.tickers.add(ticker)
    schedule(options.immediate ? 0 : interval)
    return {
      runNow: execute,
      pause: () => {
        paused = true
        clearTimeout(timer)
        timer = undefined
      },
      resume: (resumeOptions = {}) => {
        if (!paused) return
        paused = false
        // One timer at most: a scheduled run in progress reschedules (replacing this timer) when it ends.
        schedule(resumeOptions.immediate ? 0 : interval)
      },
      get paused() {
        return paused
      },
    }
  }

  protected sleep(ms: number): Promise<void> {
    const signal = this.signal
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error)
      const onAbort = () => {
        clearTimeout(timer)
        reject(signal.reason as Error)
      }
      const timer = setSafeTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal.addEventListener('abort', onAbort, {once: true})
    })
  }

  protected run<T>(task: () => Promise<T> | T): Promise<T | undefined> {
    return this.track(Promise.resolve().then(task)).catch((error: unknown) => {
      this.crash(error)
      return undefined
    })
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.tasks.add(promise)
    const forget = () => this.tasks.delete(promise)
    promise.then(forget, forget)
    return promise
  }
}
