import {minuteLoop} from '../../src/cron/minute-loop.js'
import {CronSchedule} from '../../src/cron/schedule.js'
import {FailureLog, followerSkip, Serial, type FollowerSkip, type ServiceClock} from '../../src/plugin/maintenance.js'
import {PluginBase} from '../../src/plugin/base.js'
import type {PluginContext} from '../../src/plugin/plugin.js'
import {span} from '../../src/telemetry/telemetry.js'
import {reindexIndexes, type ReindexOutcome} from './reindex-indexes.js'

export interface ReindexerOptions {
  /** A cron expression (not `@reboot`). */
  schedule: string
  /** The IANA timezone the schedule is read in. */
  timezone: string
  /** Index names in the prefix. */
  indexes: string[]
  /** Milliseconds each statement may take. */
  timeout: number
}

/**
 * Oban's Reindexer: at every minute boundary, if the schedule matches that minute in its timezone
 * and this node leads, drops invalid leftovers and rebuilds the indexes concurrently (see
 * {@link reindexIndexes}). Each run is a `plugin` span with `{instance, plugin: 'Reindexer',
 * leader}`; failed statements are listed as `error` (`[{query, error}]`) in the stop metadata, as
 * in Oban, and logged. Runs never overlap.
 */
export class ReindexerService extends PluginBase<ReindexerOptions> {
  private readonly schedule: CronSchedule
  private readonly serial = new Serial()
  private readonly failures: FailureLog

  constructor(
    context: PluginContext,
    options: ReindexerOptions,
    private readonly clock: ServiceClock = {},
  ) {
    super(context, options)
    this.schedule = CronSchedule.parse(options.schedule, options.timezone)
    this.failures = new FailureLog(context.logger, 'reindexing')
  }

  override start(): void {
    void this.run(() =>
      minuteLoop({
        now: () => this.clock.now?.() ?? new Date(),
        sleep: (ms) => this.sleep(ms),
        tick: (minute) => this.evaluate(minute),
      }),
    )
  }

  /** Reindexes if `minute` matches the schedule and this node leads. Never throws. */
  async evaluate(minute: Date): Promise<void> {
    if (!this.schedule.matches(minute) || !this.context.isLeader()) return
    try {
      await this.serial.run(() => this.pass(true))
    } catch (error) {
      if (!this.signal.aborted) this.failures.failed(error)
    }
  }

  /** Reindexes now on the leader, or anywhere with `force`. */
  async reindex(options: {force?: boolean} = {}): Promise<(ReindexOutcome & {leader: boolean}) | FollowerSkip> {
    const leader = this.context.isLeader()
    if (!leader && !options.force) return followerSkip(this.conf)
    return {leader, ...(await this.serial.run(() => this.pass(leader)))}
  }

  /** When the schedule fires next (UTC), or null. */
  nextAt(): string | null {
    return this.schedule.nextRun(this.clock.now?.() ?? new Date())?.toISOString() ?? null
  }

  private pass(leader: boolean): Promise<ReindexOutcome> {
    const meta = {instance: this.conf.name, plugin: 'Reindexer', leader}
    return span('plugin', meta, async () => {
      const outcome = await reindexIndexes(this.repo, {indexes: this.options.indexes, timeoutMs: this.options.timeout})
      if (outcome.errors.length > 0) {
        this.failures.failed(new Error(outcome.errors.map((e) => `${e.query}: ${e.error}`).join('; ')))
        return {result: outcome, metadata: {error: outcome.errors}}
      }
      this.failures.succeeded()
      return {result: outcome, metadata: {}}
    })
  }
}
