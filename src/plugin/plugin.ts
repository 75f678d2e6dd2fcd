import type {z} from 'zod'
import type {Config} from '../config/config.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier} from '../notifier/notifier.js'
import type {WorkerRegistry} from '../job/worker-registry.js'

/**
 * The plugin contract, after Oban's plugin guide (reference/seed-writing-plugins.md): a plugin is
 * a long-lived service that an instance starts inside its supervision tree, handing it the
 * validated `conf` and a `name` unique within that instance, plus its own options from the
 * config. It declares its options (validated when the config is, before anything starts) and
 * its interface functions, which become in-process helpers (`Breakdown.pause('Other')`), `oban
 * plugin FUNCTION PLUGIN` subcommands, help text and `--json` output.
 *
 * This file holds the types only. `definePlugin` (src/plugin/define.ts) validates a definition
 * and generates the helpers; `PluginBase` (src/plugin/base.ts) is an optional base class for
 * services; the supervisor (src/plugin/supervisor.ts), the host that starts plugins in an instance
 * (src/plugin/host.ts), the repo (src/plugin/repo.ts) and the cross-process calls (src/control/)
 * implement the rest.
 */

/** The state of a running plugin, as `oban plugin list` reports it. */
export type PluginStatus = 'starting' | 'running' | 'paused' | 'restarting' | 'failed' | 'stopped'

/**
 * The instance's database as a plugin sees it, as Oban's `Oban.Repo.all(conf, query)`: queries
 * run on the instance's pool, and unqualified table names resolve in the instance's prefix (the
 * pool's connections have their search_path set to it). A plugin never opens its own connection
 * nor hard-codes `public`. Every value must be a bound parameter.
 */
export interface Repo {
  readonly prefix: string
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<Row[]>
  /** Runs `fn` in a transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Repo) => Promise<T>): Promise<T>
}

/** What every plugin receives: Oban's base options (`conf`, `name`) and the services it may use. */
export interface PluginContext {
  /** The instance's validated, frozen configuration (Oban's `:conf`). */
  readonly conf: Config
  /** Unique within the instance: `<instance>.<plugin name>` (Oban's via tuple). */
  readonly name: string
  readonly repo: Repo
  readonly notifier: Notifier
  /** Scoped to the plugin: lines start with `[<instance>] <plugin>:`. */
  readonly logger: Logger
  /**
   * The workers this node runs (the instance's `workers`), e.g. for a plugin that inserts jobs to
   * merge a worker's default options or to warn about a worker no node of ours runs.
   */
  readonly workers: WorkerRegistry
  /** Whether this node leads its instance now; leader-only plugins check it on every run. */
  isLeader(): boolean
  /** Aborted when the plugin is stopped or restarted; pass it to sleeps, timers and queries. */
  readonly signal: AbortSignal
  /**
   * Reports a crash of background work to the supervisor, which stops and restarts the plugin
   * (within the restart intensity). The base class's helpers call it for you.
   */
  crash(error: unknown): void
  /** Emits telemetry with `{instance, plugin}` added to the metadata. */
  emit(event: string, measurements: Record<string, number>, metadata?: Record<string, unknown>): void
}

/** A running plugin: what `create` returns. `start` must return promptly; long work runs in timers. */
export interface PluginService {
  start(): void | Promise<void>
  /** Stops every timer and releases everything; called on shutdown and before a restart. */
  stop(): void | Promise<void>
  /** `running` unless the plugin says otherwise (e.g. `paused`). */
  status?(): 'running' | 'paused'
}

/** Types an interface function argument can have; values from the CLI are parsed to them. */
export type PluginArgType = 'string' | 'integer' | 'number' | 'boolean' | 'duration' | 'json'

export interface PluginFunctionArg {
  name: string
  /** One line, for help text. */
  description: string
  type: PluginArgType
  required?: boolean
}

/**
 * An interface function: what `Breakdown.pause('Other')` and `oban plugin pause Breakdown
 * --instance Other` run on the plugin's service. The result must be JSON-serialisable (it
 * travels across processes); `undefined` means "done".
 */
export interface PluginFunction<Service> {
  /** One line, for `oban plugin list` and `--help`. */
  description: string
  args?: readonly PluginFunctionArg[]
  run(service: Service, args: Record<string, unknown>): unknown
}

/** Names reserved for `oban plugin` subcommands: no interface function may use them. */
export const RESERVED_FUNCTION_NAMES: readonly string[] = ['list', 'help', 'call']

export interface PluginDefinition<
  Options,
  Service extends PluginService,
  Functions extends Record<string, PluginFunction<Service>>,
> {
  /** The name in configs, on the command line and in the registry, e.g. `Breakdown`. */
  name: string
  /** One line. */
  description?: string
  /**
   * Schema of the options (a strict object, so an unknown option is an error naming it). It runs
   * when the config is validated, before anything starts; durations may be given as strings.
   */
  options?: z.ZodType<Options>
  /** Runs only on the leader (informational, shown by `oban plugin list`). */
  leaderOnly?: boolean
  functions?: Functions
  /** Builds the service for one instance; called again on every restart. */
  create(context: PluginContext, options: Options): Service
}

/**
 * The in-process helpers generated from the functions: `Breakdown.pause('Other', {})`. Only
 * declared names become helpers: for the general `Plugin` type (functions typed as a record) there
 * are none, so that every defined plugin is assignable to `Plugin`.
 */
export type PluginHelpers<Functions> = {
  [K in keyof Functions as string extends K ? never : K]: (
    instance?: string,
    args?: Record<string, unknown>,
  ) => Promise<unknown>
}

/** A defined plugin: what goes into `plugins: [...]` and what `whereis` looks up. */
export type Plugin<
  Options = unknown,
  Service extends PluginService = PluginService,
  Functions extends Record<string, PluginFunction<Service>> = Record<string, PluginFunction<Service>>,
> = {
  readonly kind: 'oban-ts.plugin'
  readonly pluginName: string
  readonly definition: PluginDefinition<Options, Service, Functions>
} & PluginHelpers<Functions>

/**
 * A plugin running in an instance of this process, as the registry holds it:
 * `whereis('Other', {plugin: Breakdown})` (or `{plugin: 'Breakdown'}`) returns this. It survives
 * restarts of the service: `call` always reaches the current one.
 */
export interface PluginHandle {
  /** The plugin's name, e.g. `Breakdown`. */
  readonly pluginName: string
  /** The unique name within the instance, `<instance>.<plugin name>`. */
  readonly name: string
  readonly instance: string
  readonly plugin: Plugin
  readonly status: PluginStatus
  /** The last crash, when restarting or failed. */
  readonly lastError?: Error
  /** Restarts so far. */
  readonly restarts: number
  /**
   * Runs an interface function on the current service. Arguments are checked against the
   * declaration first. Throws typed errors (src/errors.ts) for an unknown function (with a
   * suggestion), wrong arguments, a plugin that is not running (failed, restarting), or
   * whatever the function itself throws.
   */
  call(fn: string, args?: Record<string, unknown>): Promise<unknown>
}
