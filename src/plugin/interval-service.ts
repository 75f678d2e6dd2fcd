import {FailureLog, followerSkip, Serial, type FollowerSkip, type ServiceClock} from './maintenance.js'
import {PluginBase, type Ticker} from './base.js'
import type {PluginContext} from './plugin.js'

/**
 * The skeleton of a leader-only maintenance plugin that runs every `interval` (Pruner, Lifeline):
 * pausing stops the scheduled runs, a run never overlaps another (scheduled or requested), a
 * failed scheduled run is logged once per outage and the next comes on schedule, and a run
 * requested through an interface function acts on the leader only unless forced (see
 * src/plugin/maintenance.ts). Subclasses provide one run: {@link IntervalService.pass}.
 */
export abstract class IntervalService<Options extends {interval: number}, Result> extends PluginBase<Options> {
  private ticker: Ticker | undefined
  private readonly serial = new Serial()
  private readonly failures: FailureLog

  /** `activity` names the work in log lines: `pruning failed (retrying on schedule): ...`. */
  constructor(
    context: PluginContext,
    options: Options,
    protected readonly clock: ServiceClock,
    activity: string,
  ) {
    super(context, options)
    this.failures = new FailureLog(context.logger, activity)
  }

  override start(): void {
    this.ticker = this.every(this.options.interval, () => this.scheduled())
  }

  override status(): 'running' | 'paused' {
    return this.ticker?.paused ? 'paused' : 'running'
  }

  pause(): void {
    this.ticker?.pause()
  }

  /** Scheduled runs again, the next one an interval from now. */
  resume(): void {
    this.ticker?.resume()
  }

  /**
   * One run inside Oban's plugin span. `requested` runs act even on a forced follower; a
   * follower's scheduled run must touch nothing and report an empty result.
   */
  protected abstract pass(leader: boolean, requested: boolean): Promise<Result>

  /** A run asked for through an interface function: now, on the leader, or anywhere with `force`. */
  protected async requested(force: boolean | undefined): Promise<{leader: boolean; result: Result} | FollowerSkip> {
    const leader = this.context.isLeader()
    if (!leader && !force) return followerSkip(this.conf)
    return {leader, result: await this.serial.run(() => this.pass(leader, true))}
  }

  private async scheduled(): Promise<void> {
    try {
      await this.serial.run(() => this.pass(this.context.isLeader(), false))
      this.failures.succeeded()
    } catch (error) {
      if (!this.signal.aborted) this.failures.failed(error)
    }
  }
}
