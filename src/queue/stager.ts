import type {Config} from '../config/config.js'
import type {Pool} from '../db/pool.js'
import {checkAvailable} from '../engine/check-available.js'
import {stageJobs, type StagedJob} from '../engine/stage-jobs.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier} from '../notifier/notifier.js'
import type {SonarStatus} from '../notifier/sonar.js'
import {execute, span} from '../telemetry/telemetry.js'
import {setSafeTimeout} from '../util/timer.js'

/**
 * How queues learn about staged jobs. `global`: the leader publishes `{queue}` on `insert`, and
 * every node's producers hear it. `local`: each node wakes its own producers directly, because
 * notifications would not reach them (or nobody else listens).
 */
export type StagerMode = 'global' | 'local'

export interface StagerOptions {
  pool: Pool
  notifier: Notifier
  config: Pick<Config, 'name' | 'node' | 'prefix' | 'stager'>
  logger: Logger
  /** Whether this node leads the instance now (the Peer's `isLeader`). */
  isLeader: () => boolean
  /** The Sonar's current status (`sonar.status`); it picks the mode on every tick. */
  sonarStatus: () => SonarStatus
  /** Wakes this node's producers: the named queues, or all of them. */
  wakeLocal: (queues: string[] | 'all') => void
}

/**
 * Oban's Stager (§4.1 of the spec), on every node of an instance. Every `stager.interval` ms, the
 * leader makes due scheduled and retryable jobs available (up to `stager.limit` per tick). Then
 * it tells the queues: in global mode one `{queue}` per queue with available jobs on `insert`,
 * in local mode by waking this node's producers. A follower in local mode only wakes its own
 * producers; in global mode it waits for the leader's notifications.
 *
 * The mode follows the Sonar on each tick: clustered -> global, isolated -> local, solitary ->
 * global on the leader and local elsewhere, unknown -> unchanged (initially global). A change emits
 * `stager:switch` with `{instance, mode}`.
 *
 * Each tick is a `plugin:start`/`plugin:stop` span with `{instance, plugin: 'Stager', leader}`.
 * The stop adds `{stagedCount, stagedJobs}`, and `error` when staging failed. Failures never stop
 * the stager. When staging or publishing fails, it falls back to waking the local producers, so
 * queues keep moving while the database or the notifier is broken. Ticks never overlap.
 * `stager: false` disables it.
 */
export class Stager {
  private mode: StagerMode = 'global'
  private started = false
  private stopped = false
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private unreconnect: (() => void) | undefined

  constructor(private readonly options: StagerOptions) {}

  /** The mode the last tick ran in. */
  get currentMode(): StagerMode {
    return this.mode
  }

  /**
   * Schedules the first tick one interval from now, as Oban does, and an extra tick after each
   * notifier reconnect. Does nothing with `stager: false`.
   */
  start(): void {
    const {config} = this.options
    if (this.started || this.stopped || config.stager === false) return
    this.started = true
    execute('plugin:init', {}, {instance: config.name, plugin: 'Stager'})
    // Notifications sent while the notifier was reconnecting are lost: tick at once to catch up.
    this.unreconnect = this.options.notifier.onReconnect?.(() => void this.tick())
    this.schedule()
  }

  /** Cancels the next tick and waits for a running one. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true
    this.unreconnect?.()
    this.unreconnect = undefined
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  /**
   * Runs one tick now, or waits for the running one, and resolves when it is over; never rejects.
   * For tests, and for a catch-up after the notifier reconnects (notifications may have been lost).
   */
  tick(): Promise<void> {
    if (this.options.config.stager === false || this.stopped) return Promise.resolve()
    this.running ??= this.run().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private schedule(): void {
    const {stager} = this.options.config
    if (this.stopped || stager === false) return
    this.timer = setSafeTimeout(() => {
      this.timer = undefined
      void this.tick().finally(() => this.schedule())
    }, stager.interval)
  }

  private async run(): Promise<void> {
    const {config, logger} = this.options
    try {
      const leader = this.options.isLeader()
      const mode = this.checkMode(leader)
      const meta = {instance: config.name, plugin: 'Stager', leader}
      await span('plugin', meta, async () => {
        if (!leader) {
          if (mode === 'local') this.wake()
          return {result: undefined, metadata: {stagedCount: 0, stagedJobs: []}}
        }
        const {staged, error} = await this.stage()
        const metadata = {stagedCount: staged.length, stagedJobs: staged}
        return {result: undefined, metadata: error === undefined ? metadata : {...metadata, error}}
      })
    } catch (error) {
      logger.warn(`stager: tick failed: ${message(error)}`)
    }
  }

  /** The leader's work: stage, then notify the queues even if staging failed. */
  private async stage(): Promise<{staged: StagedJob[]; error?: unknown}> {
    const {pool, config, logger} = this.options
    if (config.stager === false) return {staged: []}
    let staged: StagedJob[] = []
    let failure: unknown
    try {
      staged = await stageJobs(pool, config.prefix, config.stager.limit)
    } catch (error) {
      failure = error
      logger.warn(`stager: staging failed, waking queues anyway: ${message(error)}`)
    }
    await this.notifyQueues()
    return failure === undefined ? {staged} : {staged, error: failure}
  }

  /**
   * Tells the queues, in the current mode. In global mode a failure (database or notifier down)
   * falls back to a local wake, Oban's `safe_notify`.
   */
  private async notifyQueues(): Promise<void> {
    if (this.mode === 'local') return this.wake()
    const {pool, notifier, config, logger} = this.options
    try {
      const queues = await checkAvailable(pool, config.prefix)
      if (queues.length > 0)
        await notifier.notify(
          'insert',
          queues.map((queue) => ({queue})),
        )
    } catch (error) {
      logger.warn(`stager: could not notify queues, waking local queues instead: ${message(error)}`)
      this.wake()
    }
  }

  private wake(): void {
    try {
      this.options.wakeLocal('all')
    } catch (error) {
      this.options.logger.warn(`stager: waking local queues failed: ${message(error)}`)
    }
  }

  private checkMode(leader: boolean): StagerMode {
    let status: SonarStatus = 'unknown'
    try {
      status = this.options.sonarStatus()
    } catch (error) {
      this.options.logger.warn(`stager: reading the sonar status failed: ${message(error)}`)
    }
    const next = modeFor(status, leader) ?? this.mode
    if (next !== this.mode) {
      this.mode = next
      execute('stager:switch', {}, {instance: this.options.config.name, mode: next})
    }
    return next
  }
}

/** Oban's `check_mode`: the mode for a Sonar status, or undefined to keep the current one. */
export function modeFor(status: SonarStatus, leader: boolean): StagerMode | undefined {
  switch (status) {
    case 'clustered':
      return 'global'
    case 'isolated':
      return 'local'
    case 'solitary':
      return leader ? 'global' : 'local'
    default:
      return undefined
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
