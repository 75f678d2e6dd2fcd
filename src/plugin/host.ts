import type {Config} from '../config/config.js'
import {coerceError, PluginFailedError, PluginNotRunningError} from '../errors.js'
import {formatDuration} from '../util/duration.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier} from '../notifier/notifier.js'
import type {Plugin, PluginContext, PluginHandle, PluginService, PluginStatus, Repo} from './plugin.js'
import {checkPluginArgs, pluginFunction} from './arguments.js'
import type {ConfiguredPlugin} from './loader.js'
import {PLUGINS_KEY, type PluginDirectory} from './lookup.js'
import {register} from './registry.js'
import {Supervisor, type CrashReport, type Incarnation} from './supervisor.js'
import {execute} from '../telemetry/telemetry.js'
import {WorkerRegistry} from '../job/worker-registry.js'

export interface PluginHostOptions {
  config: Config
  plugins: readonly ConfiguredPlugin[]
  repo: Repo
  notifier: Notifier
  logger: Logger
  /** The node's workers, handed to every plugin (default: none). */
  workers?: WorkerRegistry
  isLeader(): boolean
  /**
   * The instance must stop: a plugin crashed past the restart intensity and the policy is
   * `escalate`. Called once, outside the host's own call stack.
   */
  onEscalate(error: PluginFailedError): void
}

/**
 * Runs an instance's plugins under one_for_one supervision (Oban's Harbor, past its caveat).
 * Each plugin gets a context per incarnation (fresh `signal` and `crash`); a plugin whose
 * `create`/`start` throws, or that reports a crash, is stopped and restarted with backoff. Past
 * the restart intensity (`pluginSupervision`), `isolate` marks it failed and logs it loudly while
 * the instance and its queues run on; `escalate` stops the instance with a
 * {@link PluginFailedError}.
 *
 * Each plugin is registered as `{plugin: Name}` with a {@link PluginHandle} that survives its
 * restarts, and the host itself under `'plugins'` (see `pluginHandles`).
 *
 * Telemetry, with `{instance, plugin, name}` in every event's metadata, treating each
 * incarnation as a span:
 * - `plugin:init` `{systemTime}` `{restarts}`: an incarnation is being created (Oban's init event);
 * - `plugin:start` `{systemTime, duration}` `{restarts}`: it started (`duration`: its create + start);
 * - `plugin:stop` `{duration}`: it was stopped at shutdown (`duration`: its lifetime);
 * - `plugin:exception` `{duration}` `{kind, reason, error, phase, action, restarts, delay?}`: it
 *   crashed (`phase` `start` or `run`), and `action` is `restart`, `isolate` or `escalate`.
 */
export class PluginHost implements PluginDirectory {
  private readonly supervisor: Supervisor<PluginService>
  private readonly hosted: HostedPlugin[]
  private readonly workers: WorkerRegistry
  private started = false

  constructor(private readonly options: PluginHostOptions) {
    const {config, logger} = options
    this.workers = options.workers ?? new WorkerRegistry()
    this.supervisor = new Supervisor<PluginService>({
      policy: config.pluginSupervision,
      logger,
      events: {
        starting: (id, restarts) => this.event(id, 'plugin:init', {systemTime: Date.now()}, {restarts}),
        started: (id, _service, {duration, restarts}) => {
          this.event(id, 'plugin:start', {systemTime: Date.now(), duration}, {restarts})
          if (restarts > 0) logger.info(`${id}: restarted (restart ${restarts})`)
        },
        stopped: (id, {lifetime}) => this.event(id, 'plugin:stop', {duration: lifetime}, {}),
        crashed: (report) => this.crashed(report),
      },
    })
    this.hosted = options.plugins.map(
      ({plugin, options: pluginOptions}) => new HostedPlugin(plugin, pluginOptions, config.name, this.supervisor),
    )
  }

  /** The handles, in configuration order. */
  handles(): PluginHandle[] {
    return [...this.hosted]
  }

  /** Registers every plugin, then starts them in order; a failing start is handled by the supervisor. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    const instance = this.options.config.name
    register(instance, PLUGINS_KEY, this)
    for (const hosted of this.hosted) register(instance, {plugin: hosted.pluginName}, hosted)
    for (const hosted of this.hosted) {
      await this.supervisor.startChild({
        id: hosted.pluginName,
        start: (incarnation) => this.startIncarnation(hosted, incarnation),
        stop: async (service) => {
          await service.stop()
        },
      })
    }
  }

  /** Stops every plugin (reverse order); idempotent. The handles stay registered, `stopped`. */
  stop(): Promise<void> {
    return this.supervisor.stop()
  }

  private async startIncarnation(hosted: HostedPlugin, incarnation: Incarnation): Promise<PluginService> {
    const service = hosted.plugin.definition.create(this.context(hosted, incarnation), hosted.options)
    if (!service || typeof service.start !== 'function' || typeof service.stop !== 'function')
      throw new TypeError(`${hosted.pluginName}: create() must return a service with start() and stop()`)
    try {
      await service.start()
    } catch (error) {
      // A half-started service may already hold timers: release them before the restart.
      await Promise.resolve()
        .then(() => service.stop())
        .catch(() => undefined)
      throw error
    }
    return service
  }

  private context(hosted: HostedPlugin, incarnation: Incarnation): PluginContext {
    const {config, repo, notifier, logger} = this.options
    const scope = `${hosted.pluginName}: `
    return {
      conf: config,
      name: hosted.name,
      repo,
      notifier,
      logger: {
        debug: (message) => logger.debug(scope + message),
        info: (message) => logger.info(scope + message),
        warn: (message) => logger.warn(scope + message),
        error: (message) => logger.error(scope + message),
      },
      workers: this.workers,
      isLeader: () => this.options.isLeader(),
      signal: incarnation.signal,
      crash: (error) => incarnation.crash(error),
      emit: (event, measurements, metadata = {}) =>
        execute(event, measurements, {...metadata, instance: config.name, plugin: hosted.pluginName}),
    }
  }

  private crashed(report: CrashReport): void {
    const {config, logger} = this.options
    const {maxRestarts, period, onExhausted} = config.pluginSupervision
    const action = report.action === 'restart' ? 'restart' : onExhausted
    this.event(
      report.id,
      'plugin:exception',
      {duration: report.lifetime},
      {
        kind: 'error',
        reason: report.error,
        error: report.error,
        phase: report.phase,
        action,
        restarts: report.restarts,
        ...(report.delay === undefined ? {} : {delay: report.delay}),
      },
    )
    const what = report.phase === 'start' ? 'failed to start' : 'crashed'
    const why = `${report.error.message || report.error.name}`
    if (action === 'restart') {
      logger.warn(`${report.id}: ${what}: ${why}; restarting in ${formatDuration(report.delay ?? 0)}`)
      return
    }
    const count = `${what} ${report.recent} times within ${formatDuration(period)} (at most ${maxRestarts} restarts allowed)`
    const stack = report.error.stack ?? why
    if (action === 'isolate') {
      logger.error(
        `PLUGIN FAILED: ${report.id} ${count}; it stays stopped (status failed) while the instance and its queues keep running. Last error: ${stack}`,
      )
      return
    }
    const error = new PluginFailedError(
      report.id,
      config.name,
      `plugin ${report.id} ${count}; stopping instance "${config.name}" (pluginSupervision.onExhausted is "escalate"). Last error: ${why}`,
      report.error,
    )
    logger.error(`${error.message}\n${stack}`)
    // Outside the supervisor's call stack (stopping the instance stops this host, which waits for
    // the supervisor's pending operations), but before a starting instance reports that it runs.
    queueMicrotask(() => {
      try {
        this.options.onEscalate(error)
      } catch (escalateError) {
        logger.error(`while escalating: ${coerceError(escalateError).message}`)
      }
    })
  }

  private event(id: string, event: string, measurements: Record<string, number>, metadata: Record<string, unknown>) {
    const {name} = this.options.config
    execute(event, measurements, {...metadata, instance: name, plugin: id, name: `${name}.${id}`})
  }
}

/** The registry's view of one plugin: stable across restarts, reading the supervisor's state. */
class HostedPlugin implements PluginHandle {
  readonly pluginName: string
  readonly name: string

  constructor(
    readonly plugin: Plugin,
    /** The validated options every incarnation is created with. */
    readonly options: unknown,
    readonly instance: string,
    private readonly supervisor: Supervisor<PluginService>,
  ) {
    this.pluginName = plugin.pluginName
    this.name = `${instance}.${plugin.pluginName}`
  }

  get status(): PluginStatus {
    const child = this.supervisor.child(this.pluginName)
    if (!child) return 'starting'
    if (child.status !== 'running' || !child.service) return child.status
    try {
      return child.service.status?.() === 'paused' ? 'paused' : 'running'
    } catch {
      return 'running'
    }
  }

  get lastError(): Error | undefined {
    return this.supervisor.child(this.pluginName)?.lastError
  }

  get restarts(): number {
    return this.supervisor.child(this.pluginName)?.restarts ?? 0
  }

  async call(fn: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const declaration = pluginFunction(this.plugin, fn)
    const checked = checkPluginArgs(this.plugin, fn, args)
    const child = this.supervisor.child(this.pluginName)
    const service = child?.status === 'running' ? child.service : undefined
    if (!service) throw new PluginNotRunningError(this.pluginName, this.instance, this.status, this.lastError)
    return declaration.run(service, checked)
  }

  /** What `JSON.stringify` and `--json` show. */
  toJSON(): Record<string, unknown> {
    return {
      plugin: this.pluginName,
      name: this.name,
      instance: this.instance,
      status: this.status,
      restarts: this.restarts,
      lastError: this.lastError ? coerceError(this.lastError).message : undefined,
      functions: Object.keys(this.plugin.definition.functions ?? {}),
    }
  }
}
