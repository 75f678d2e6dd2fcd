import {minuteLoop} from '../../src/cron/minute-loop.js'
import {CronSchedule} from '../../src/cron/schedule.js'
import {formatZoned} from '../../src/cron/zoned-time.js'
import {coerceError, ObanError} from '../../src/errors.js'
import type {Job} from '../../src/job/job.js'
import {mergeJobOptions, type JobSpec} from '../../src/job/spec.js'
import {FailureLog, followerSkip, type FollowerSkip, type ServiceClock} from '../../src/plugin/maintenance.js'
import {PluginBase} from '../../src/plugin/base.js'
import type {PluginContext} from '../../src/plugin/plugin.js'
import {didYouMean} from '../../src/util/suggest.js'
import {span} from '../../src/telemetry/telemetry.js'
import type {CrontabEntry} from './crontab.js'
import {cronAt, insertCronJob} from './insert-cron-job.js'

export interface CronOptions {
  crontab: CrontabEntry[]
  /** The IANA timezone entries are evaluated in, unless they name their own. */
  timezone: string
}

/** An entry as `entries` reports it. */
export interface CronEntryReport {
  name: string
  expression: string
  worker: string
  timezone: string
  /** The next run (UTC), or null for `@reboot`. */
  nextAt: string | null
  /** The next run on the entry's wall clock, with its offset. */
  nextLocal: string | null
  /** `@reboot` entries: whether this node has inserted it since it started. */
  reboot?: 'pending' | 'inserted'
  /** The last minute this node inserted the entry's job for (UTC), or null. */
  lastAt: string | null
}

/** `run NAME` named no entry of the crontab. */
export class UnknownCronEntryError extends ObanError {
  constructor(message: string) {
    super('cron_entry_unknown', message, {exitCode: 2})
  }
}

interface Scheduled {
  readonly entry: CrontabEntry
  readonly schedule: CronSchedule
  readonly timezone: string
  /** `@reboot` entries fire once; this turns true when the leader has inserted it. */
  fired: boolean
  lastAt: Date | undefined
}

/**
 * Oban's Cron (reference/oban-spec.md §4.5). At every wall-clock minute boundary (the first one
 * after start), the leader inserts a job for every entry whose expression matches that minute on
 * its timezone's wall clock; followers do nothing. A local time skipped by a DST change never
 * fires, and one repeated by a DST change fires twice, as in Oban.
 *
 * Each insert is guarded by the entry's name and the minute (see {@link insertCronJob}), so two
 * nodes that both believe they lead, or one minute evaluated twice, insert one job. Jobs get
 * Oban's meta `cron: true`, `cron_expr`, `cron_name` and `cron_tz`, plus `cron_at` (the minute,
 * UTC) for the guard; the worker's default options are merged under the entry's when this node
 * knows the worker.
 *
 * `@reboot` entries fire once, at the first evaluation this node makes as leader (not at boot),
 * without the minute guard: each leader start is its own occasion. As in Oban, a restart of the
 * plugin after a crash counts as a start.
 *
 * Each evaluation is a `plugin` span with `{instance, plugin: 'Cron', leader}` and Oban's `jobs`
 * (the inserted jobs) on stop. A failed insert is logged and reported as `error` in the stop
 * metadata; the other entries are inserted anyway, each in its own transaction.
 */
export class CronService extends PluginBase<CronOptions> {
  private readonly scheduled: Scheduled[]
  private readonly failures: FailureLog

  constructor(
    context: PluginContext,
    options: CronOptions,
    private readonly clock: ServiceClock = {},
  ) {
    super(context, options)
    this.failures = new FailureLog(context.logger, 'inserting cron jobs')
    this.scheduled = options.crontab.map((entry) => {
      const timezone = entry.timezone ?? options.timezone
      return {entry, timezone, schedule: new CronSchedule(entry.expression, timezone), fired: false, lastAt: undefined}
    })
  }

  override start(): void {
    this.warnUnknownWorkers()
    if (this.scheduled.length === 0) return
    void this.run(() =>
      minuteLoop({
        now: () => this.now(),
        sleep: (ms) => this.sleep(ms),
        tick: async (minute) => {
          await this.evaluate(minute)
        },
      }),
    )
  }

  /**
   * Evaluates one minute: on the leader, inserts the job of every entry due then (and of pending
   * `@reboot` entries); returns the jobs inserted. Never throws: failures are logged.
   */
  async evaluate(minute: Date): Promise<Job[]> {
    const leader = this.context.isLeader()
    const meta = {instance: this.conf.name, plugin: 'Cron', leader}
    return span('plugin', meta, async () => {
      if (!leader) return {result: [], metadata: {jobs: []}}
      const jobs: Job[] = []
      let failure: unknown
      for (const item of this.scheduled) {
        if (item.entry.expression.reboot ? item.fired : !item.schedule.matches(minute)) continue
        try {
          const reboot = item.entry.expression.reboot
          const result = await insertCronJob(this.repo, this.spec(item, reboot ? undefined : minute), {
            guard: reboot ? undefined : {name: item.entry.name, at: minute},
            insertTrigger: this.conf.insertTrigger,
          })
          if (result.outcome === 'inserted') {
            jobs.push(result.job)
            item.lastAt = minute
          }
          item.fired = true
        } catch (error) {
          failure ??= error
          this.failures.failed(new Error(`${item.entry.name} (${item.entry.worker}): ${coerceError(error).message}`))
        }
      }
      if (failure === undefined) this.failures.succeeded()
      if (jobs.length > 0) this.logger.debug(`inserted cron jobs ${jobs.map((job) => job.id).join(', ')}`)
      return {result: jobs, metadata: failure === undefined ? {jobs} : {jobs, error: failure}}
    })
  }

  /** Every entry with its next run, as `entries` reports them. */
  entries(): CronEntryReport[] {
    const now = this.now()
    return this.scheduled.map((item) => {
      const next = item.schedule.nextRun(now)
      return {
        name: item.entry.name,
        expression: item.entry.expression.input,
        worker: item.entry.worker,
        timezone: item.timezone,
        nextAt: next ? next.toISOString() : null,
        nextLocal: next ? formatZoned(next, item.timezone) : null,
        ...(item.entry.expression.reboot ? {reboot: item.fired ? ('inserted' as const) : ('pending' as const)} : {}),
        lastAt: item.lastAt ? item.lastAt.toISOString() : null,
      }
    })
  }

  /**
   * Inserts the job of one entry now (by its name, or by its worker when a single entry uses
   * it), on the leader, or anywhere with `force`. Not guarded: every call inserts a job.
   */
  async runEntry(name: string, options: {force?: boolean} = {}): Promise<{leader: boolean; job: Job} | FollowerSkip> {
    const item = this.find(name)
    const leader = this.context.isLeader()
    if (!leader && !options.force) return followerSkip(this.conf)
    const result = await insertCronJob(this.repo, this.spec(item, undefined), {insertTrigger: this.conf.insertTrigger})
    if (result.outcome === 'locked')
      throw new ObanError('cron_insert_locked', `${item.entry.name}: another transaction is inserting this unique job`)
    return {leader, job: result.job}
  }

  private find(name: string): Scheduled {
    const byName = this.scheduled.find((item) => item.entry.name === name)
    if (byName) return byName
    const byWorker = this.scheduled.filter((item) => item.entry.worker === name)
    if (byWorker.length === 1) return byWorker[0]!
    const names = this.scheduled.map((item) => item.entry.name)
    if (byWorker.length > 1)
      throw new UnknownCronEntryError(
        `${byWorker.length} crontab entries use worker ${name}: name one of ${byWorker.map((item) => item.entry.name).join(', ')}`,
      )
    throw new UnknownCronEntryError(
      `no crontab entry named ${JSON.stringify(name)}${didYouMean(name, names)}; entries: ${names.join(', ') || 'none'}`,
    )
  }

  /** The job of an entry, with the worker's defaults under the entry's options and the cron meta on top. */
  private spec(item: Scheduled, minute: Date | undefined): JobSpec {
    const {entry} = item
    const defaults = this.context.workers.get(entry.worker)?.options ?? {}
    const options = mergeJobOptions(defaults, entry.options)
    const meta = {
      ...options.meta,
      cron: true,
      cron_expr: entry.expression.input,
      cron_name: entry.name,
      cron_tz: item.timezone,
      ...(minute ? {cron_at: cronAt(minute)} : {}),
    }
    return {...options, worker: entry.worker, args: entry.args, meta}
  }

  private warnUnknownWorkers(): void {
    const {workers} = this.context
    const unknown = [...new Set(this.scheduled.map((item) => item.entry.worker))].filter((name) => !workers.has(name))
    if (unknown.length === 0) return
    if (workers.size === 0) {
      this.logger.warn(
        `this node runs no workers: the jobs of ${unknown.join(', ')} wait for a node (oban-ts or Elixir) that runs them`,
      )
      return
    }
    for (const name of unknown)
      this.logger.warn(
        `crontab worker ${name} is not one of this node's workers${didYouMean(name, workers.names)}: its jobs wait for a node (oban-ts or Elixir) that runs it`,
      )
  }

  private now(): Date {
    return this.clock.now?.() ?? new Date()
  }
}
