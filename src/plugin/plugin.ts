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

/**
 * An interface function's argument. Declared in a literal (`{name: 'threshold', type: 'integer',
 * required: true, ...}`), its name and type give `run` and the helpers their argument types.
 */
export interface PluginFunctionArg<Name extends string = string, Type extends PluginArgType = PluginArgType> {
  name: Name
  /** One line, for help text. */
  description: string
  type: Type
  required?: boolean
}

/** A JSON value: what a `json` argument takes and what crosses processes. */
export type JsonValue = string | number | boolean | null | JsonValue[] | {[key: string]: JsonValue}

/** What `run` receives for an argument of a type: durations arrive as milliseconds. */
export type PluginArgValue<Type extends PluginArgType> = Type extends 'string'
  ? string
  : Type extends 'boolean'
    ? boolean
    : Type extends 'json'
      ? JsonValue
      : number

/**
 * What a caller may pass for an argument of a type: a duration also as text (`'5m'`); a `json`
 * argument anything JSON-serialisable (checked when called).
 */
export type PluginArgInput<Type extends PluginArgType> = Type extends 'duration'
  ? number | string
  : Type extends 'json'
    ? unknown
    : PluginArgValue<Type>

/** The arguments `run` receives for declared `Args`: required ones present, the others optional. */
export type PluginRunArgs<Args extends readonly PluginFunctionArg[]> = string extends Args[number]['name']
  ? Record<string, unknown>
  : {
      [
        K in keyof ({
          [Arg in Args[number] as Arg extends {required: true} ? Arg['name'] : never]: PluginArgValue<Arg['type']>
        } & {
          [Arg in Args[number] as Arg extends {required: true} ? never : Arg['name']]?: PluginArgValue<Arg['type']>
        })
      ]: ({[Arg in Args[number] as Arg extends {required: true} ? Arg['name'] : never]: PluginArgValue<Arg['type']>} & {
        [Arg in Args[number] as Arg extends {required: true} ? never : Arg['name']]?: PluginArgValue<Arg['type']>
      })[K]
    }

/** The arguments a caller passes for declared `Args` (helpers, handles' `call`). */
export type PluginCallArgs<Args extends readonly PluginFunctionArg[]> = string extends Args[number]['name']
  ? Record<string, unknown>
  : {
      [
        K in keyof ({
          [Arg in Args[number] as Arg extends {required: true} ? Arg['name'] : never]: PluginArgInput<Arg['type']>
        } & {
          [Arg in Args[number] as Arg extends {required: true} ? never : Arg['name']]?: PluginArgInput<Arg['type']>
        })
      ]: ({[Arg in Args[number] as Arg extends {required: true} ? Arg['name'] : never]: PluginArgInput<Arg['type']>} & {
        [Arg in Args[number] as Arg extends {required: true} ? never : Arg['name']]?: PluginArgInput<Arg['type']>
      })[K]
    }

/**
 * An interface function: what `Breakdown.pause('Other')` and `oban plugin pause Breakdown
 * --instance Other` run on the plugin's service. The result must be JSON-serialisable (it
 * travels across processes); `undefined` means "done". Made with the `fn` builder that
 * `definePlugin`'s `functions` receives, which types `run`'s arguments from `args`.
 */
export interface PluginFunction<
  Service = PluginService,
  Args extends readonly PluginFunctionArg[] = readonly PluginFunctionArg[],
  Result = unknown,
> {
  /** One line, for `oban plugin list` and `--help`. */
  description: string
  args?: Args
  run(service: Service, args: PluginRunArgs<Args>): Result
}

/**
 * Builds one interface function of a plugin whose service is `Service`: `args` (a literal
 * array) types `run`'s second parameter, and `run`'s result types the helper's.
 */
export interface PluginFunctionBuilder<Service> {
  /** A function without arguments. */
  <Result = undefined>(declaration: {
    description: string
    args?: readonly []
    run(service: Service): Result
  }): PluginFunction<Service, readonly [], Result>
  /** A function with arguments, declared in a literal array. */
  <const Args extends readonly PluginFunctionArg[], Result = undefined>(
    declaration: PluginFunction<Service, Args, Result> & {args: Args},
  ): PluginFunction<Service, Args, Result>
}

/** The interface functions of a plugin, by name. */
export type PluginFunctions<Service = PluginService> = Record<
  string,
  PluginFunction<Service, readonly PluginFunctionArg[], unknown>
>

/** Names reserved for `oban plugin` subcommands: no interface function may use them. */
export const RESERVED_FUNCTION_NAMES: readonly string[] = ['list', 'help', 'call']

/** A validated plugin definition, as a defined plugin carries it (`Breakdown.definition`). */
export interface PluginDefinition<
  Options,
  Service extends PluginService,
  Functions extends PluginFunctions<Service> = PluginFunctions<Service>,
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
 * What `definePlugin` takes: a definition whose `functions` is built with `fn`, so each
 * function's `run` gets the service and its declared arguments typed:
 *
 * ```ts
 * functions: (fn) => ({
 *   check: fn({description: 'Check now', run: (service) => service.check()}),
 *   setThreshold: fn({
 *     description: 'Change the threshold',
 *     args: [{name: 'threshold', description: 'Jobs per queue', type: 'integer', required: true}],
 *     run: (service, {threshold}) => service.setThreshold(threshold),
 *   }),
 * })
 * ```
 *
 * Write `create` before `functions`: the service type is taken from `create`.
 */
export interface PluginSpec<
  Options,
  Service extends PluginService,
  Functions extends PluginFunctions<Service>,
> extends Omit<PluginDefinition<Options, Service, Functions>, 'functions'> {
  functions?: (fn: PluginFunctionBuilder<Service>) => Functions
}

/**
 * The helper of one interface function: `Backlog.check()` on the instance named `Oban` of this
 * process, `Backlog.setThreshold({threshold: 100})`, or `Backlog.setThreshold('Other',
 * {threshold: 100})` on instance `Other`. It resolves to what `run` returns.
 */
export type PluginHelper<Args, Result> = [keyof Args] extends [never]
  ? (instance?: string) => Promise<Awaited<Result>>
  : Record<never, never> extends Args
    ? {
        (args?: Args): Promise<Awaited<Result>>
        (instance: string, args?: Args): Promise<Awaited<Result>>
      }
    : {
        (args: Args): Promise<Awaited<Result>>
        (instance: string, args: Args): Promise<Awaited<Result>>
      }

/** The declared arguments of an interface function. */
export type PluginFunctionArgs<F> = F extends PluginFunction<never, infer Args, unknown> ? Args : never
/** What an interface function's `run` returns (a promise's value). */
export type PluginFunctionResult<F> =
  F extends PluginFunction<never, readonly PluginFunctionArg[], infer Result> ? Awaited<Result> : never

/**
 * The in-process helpers generated from the functions. Only declared names become helpers: for
 * the general `Plugin` type (functions typed as a record) there are none, so that every defined
 * plugin is assignable to `Plugin`.
 */
export type PluginHelpers<Functions> = {
  [K in keyof Functions as string extends K ? never : K]: PluginHelper<
    PluginCallArgs<PluginFunctionArgs<Functions[K]>>,
    PluginFunctionResult<Functions[K]>
  >
}

/** A defined plugin: what goes into `plugins: [...]` and what `whereis` looks up. */
export type Plugin<
  Options = unknown,
  Service extends PluginService = PluginService,
  Functions extends PluginFunctions<Service> = PluginFunctions<Service>,
> = {
  readonly kind: 'oban-ts.plugin'
  readonly pluginName: string
  readonly definition: PluginDefinition<Options, Service, Functions>
} & PluginHelpers<Functions>

/** The interface functions of a defined plugin. */
export type FunctionsOf<P> = P extends {readonly definition: {readonly functions?: infer F}}
  ? NonNullable<F> extends PluginFunctions<never>
    ? NonNullable<F>
    : PluginFunctions
  : PluginFunctions

/**
 * A plugin running in an instance of this process, as the registry holds it:
 * `whereis('Other', {plugin: Breakdown})` (or `{plugin: 'Breakdown'}`) returns this. It survives
 * restarts of the service: `call` always reaches the current one. Found by the plugin object, its
 * `call` is typed as the plugin's helpers are.
 */
export interface PluginHandle<P extends Plugin = Plugin> {
  /** The plugin's name, e.g. `Breakdown`. */
  readonly pluginName: string
  /** The unique name within the instance, `<instance>.<plugin name>`. */
  readonly name: string
  readonly instance: string
  readonly plugin: P
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
  call<K extends keyof FunctionsOf<P> & string>(
    fn: K,
    args?: PluginCallArgs<PluginFunctionArgs<FunctionsOf<P>[K]>>,
  ): Promise<PluginFunctionResult<FunctionsOf<P>[K]>>
}
