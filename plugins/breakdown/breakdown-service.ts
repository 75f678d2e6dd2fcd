import {coerceError} from '../../src/errors.js'
import {FailureLog} from '../../src/plugin/maintenance.js'
import {PluginBase, type Ticker} from '../../src/plugin/base.js'
import {fetchBreakdown, type BreakdownRow} from './fetch-breakdown.js'

export interface BreakdownOptions {
  /** Milliseconds between two counts. */
  interval: number
}

/** A breakdown as the plugin publishes and keeps it. */
export interface BreakdownSnapshot {
  time: Date
  rows: BreakdownRow[]
}

/**
 * Counts jobs by queue and state every `interval` (the first count at start), publishes each
 * breakdown as telemetry `breakdown:update` (`{count}` rows, metadata `{rows, time, instance,
 * plugin}`) and keeps the last one for views. Paused, it runs no query at all until resumed;
 * `refresh()` counts at once whatever the state (an explicit request). Counts never overlap: a
 * refresh during a scheduled count shares its result. A failed count (the database is down) does
 * not crash the plugin: it is logged once per outage, published as `breakdown:error` (`{error}`)
 * for views, the last breakdown is kept, and the next interval tries again; `refresh()` rejects
 * with the error. A restart starts unpaused.
 */
export class BreakdownService extends PluginBase<BreakdownOptions> {
  private ticker: Ticker | undefined
  private snapshot: BreakdownSnapshot | undefined
  /** The error of the last count, cleared by a successful one. */
  private failure: Error | undefined
  private failures: FailureLog | undefined

  override start(): void {
    this.failures = new FailureLog(this.logger, 'counting jobs')
    this.ticker = this.every(this.options.interval, () => this.count(), {immediate: true})
  }

  override status(): 'running' | 'paused' {
    return this.ticker?.paused ? 'paused' : 'running'
  }

  /** The last breakdown, or undefined before the first count. */
  get last(): BreakdownSnapshot | undefined {
    return this.snapshot
  }

  pause(): void {
    this.ticker?.pause()
  }

  /** Counts again at once, then every interval. */
  resume(): void {
    this.ticker?.resume({immediate: true})
  }

  /** Counts now (or joins the count in progress) and returns the rows. */
  async refresh(): Promise<BreakdownRow[]> {
    await this.ticker?.runNow()
    if (this.failure) throw this.failure
    return this.snapshot?.rows ?? []
  }

  private async count(): Promise<void> {
    try {
      const rows = await fetchBreakdown(this.repo)
      const time = new Date()
      this.snapshot = {time, rows}
      this.failure = undefined
      this.failures?.succeeded()
      this.context.emit('breakdown:update', {count: rows.length}, {rows, time})
    } catch (error) {
      if (this.signal.aborted) return
      this.failure = coerceError(error)
      this.failures?.failed(error)
      this.context.emit('breakdown:error', {}, {error: this.failure.message})
    }
  }
}
