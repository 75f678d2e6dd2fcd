import {ConfigError} from '../errors.js'
import {
  RESERVED_FUNCTION_NAMES,
  type Plugin,
  type PluginArgType,
  type PluginDefinition,
  type PluginFunctions,
  type PluginService,
  type PluginSpec,
} from './plugin.js'
import {findPluginHandle} from './lookup.js'
import {describe, isRecord} from '../util/guards.js'

/** The default instance name, as Oban's. */
export const DEFAULT_INSTANCE = 'Oban'

const KIND = 'oban-ts.plugin'

/**
 * A plugin name: what configs, the command line and the registry use. Letters, digits and
 * underscores, starting with a letter; dots separate segments as in Elixir module names
 * (`MyApp.Breakdown`). It is never a path: a config entry that looks like a path is loaded as one.
 */
const PLUGIN_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/
/** Function and argument names are camelCase identifiers: `Breakdown.pause()`, `oban plugin pause`. */
const IDENTIFIER = /^[a-z][A-Za-z0-9]*$/
const ARG_TYPES: readonly PluginArgType[] = ['string', 'integer', 'number', 'boolean', 'duration', 'json']

const DEFINITION_KEYS = ['name', 'description', 'options', 'leaderOnly', 'functions', 'create']
const FUNCTION_KEYS = ['description', 'args', 'run']
const ARG_KEYS = ['name', 'description', 'type', 'required']
/**
 * Names a function cannot take: the `oban plugin` subcommands, the generated object's own keys,
 * `then` (the plugin would become a thenable and `await` would call it) and anything inherited.
 */
const TAKEN = new Set([...RESERVED_FUNCTION_NAMES, 'kind', 'pluginName', 'definition', 'then'])

/**
 * Defines a plugin, validating the definition at once (a mistake fails where the plugin is
 * written, not when an instance starts): the name, `create`, the options schema and every
 * interface function with its arguments. Throws {@link ConfigError} naming the plugin and every
 * problem.
 *
 * The result goes into `plugins: [...]` (alone or as `[Plugin, options]`) and carries one
 * in-process helper per interface function: `Breakdown.pause()` calls `pause` on the Breakdown of
 * the instance named `Oban` in this process, `Breakdown.pause('Other', args)` on instance
 * `Other`'s (Oban's `Registry.whereis(name, {:plugin, Module})` + `GenServer.call`). A helper
 * rejects with a typed error when no such instance runs in this process
 * ({@link InstanceNotRunningError}), when it does not run the plugin ({@link UnknownPluginError}),
 * when the plugin is not running now ({@link PluginNotRunningError}) or when the arguments do not
 * match the declaration ({@link PluginArgumentError}); otherwise it resolves to the function's
 * result or rejects with what the function threw.
 */
export function definePlugin<
  Options,
  Service extends PluginService,
  Functions extends PluginFunctions<Service> = Record<never, never>,
>(spec: PluginSpec<Options, Service, Functions>): Plugin<Options, Service, Functions> {
  const definition = resolveFunctions(spec)
  const problems = checkDefinition(definition)
  const where = isRecord(definition) && typeof definition.name === 'string' ? `plugin "${definition.name}"` : 'plugin'
  if (problems.length > 0) throw new ConfigError(`${where}: ${problems.join('; ')}`)
  const valid = definition as PluginDefinition<Options, Service, Functions>
  const frozen = Object.freeze({...valid, functions: Object.freeze({...valid.functions})})
  const helpers: Record<string, unknown> = {}
  for (const fn of Object.keys(frozen.functions)) {
    // (args?), (instance, args?), and the older (undefined, args) spelling of the default instance.
    helpers[fn] = async (first?: unknown, second?: unknown) => {
      const [instance, args] = typeof first === 'string' ? [first, second] : [DEFAULT_INSTANCE, first ?? second]
      return findPluginHandle(instance, valid.name).call(fn, (args ?? {}) as Record<string, unknown>)
    }
  }
  return Object.freeze({
    ...helpers,
    kind: KIND,
    pluginName: valid.name,
    definition: frozen,
  }) as unknown as Plugin<Options, Service, Functions>
}

/**
 * The definition with `functions` built: the builder hands each declaration back as it is (the
 * typing is its point). A plain object of declarations is taken as well, for JavaScript callers.
 */
function resolveFunctions(spec: unknown): unknown {
  if (!isRecord(spec) || typeof spec.functions !== 'function') return spec
  const build = spec.functions as (fn: (declaration: unknown) => unknown) => unknown
  return {...spec, functions: build((declaration) => declaration)}
}

/**
 * Whether a value is a plugin made by {@link definePlugin}, by any copy of this module (a config
 * loaded through jiti may import a second copy).
 */
export function isPlugin(value: unknown): value is Plugin {
  return (
    isRecord(value) &&
    value.kind === KIND &&
    typeof value.pluginName === 'string' &&
    isRecord(value.definition) &&
    typeof value.definition.create === 'function'
  )
}

function checkDefinition(definition: unknown): string[] {
  if (!isRecord(definition)) return [`expected a definition object, got ${describe(definition)}`]
  const problems = unknownKeys(definition, DEFINITION_KEYS, 'is not a plugin definition key')
  const {name, description, options, leaderOnly, functions, create} = definition
  if (typeof name !== 'string' || !PLUGIN_NAME.test(name) || name.length > 127)
    problems.push(
      `name: must be letters, digits and underscores starting with a letter (dots between segments), got ${describe(name)}`,
    )
  if (description !== undefined && typeof description !== 'string') problems.push('description: must be a string')
  if (options !== undefined && !isSchema(options))
    problems.push('options: must be a zod schema, e.g. z.strictObject({interval: durationOption()})')
  else if (options !== undefined && !isZod4(options))
    problems.push(
      "options: a zod 3 schema; oban-ts checks options with zod 4: import {z} from 'oban-ts' (or install zod@^4)",
    )
  if (leaderOnly !== undefined && typeof leaderOnly !== 'boolean') problems.push('leaderOnly: must be a boolean')
  if (typeof create !== 'function') problems.push('create: must be a function (context, options) => service')
  if (functions !== undefined) {
    if (!isRecord(functions)) problems.push('functions: must be an object of interface functions')
    else for (const [fn, declaration] of Object.entries(functions)) problems.push(...checkFunction(fn, declaration))
  }
  return problems
}

function checkFunction(fn: string, declaration: unknown): string[] {
  const at = `functions.${fn}`
  const problems: string[] = []
  if (!IDENTIFIER.test(fn)) problems.push(`${at}: a function name must be a camelCase identifier`)
  else if (TAKEN.has(fn) || fn in Object.prototype)
    problems.push(
      `${at}: "${fn}" is reserved (${[...TAKEN].join(', ')} and Object's own names cannot be interface functions)`,
    )
  if (!isRecord(declaration)) return [...problems, `${at}: expected {description, args?, run}`]
  problems.push(...unknownKeys(declaration, FUNCTION_KEYS, 'is not a function declaration key', `${at}.`))
  if (typeof declaration.description !== 'string' || declaration.description.trim() === '')
    problems.push(`${at}.description: must be a one-line description`)
  if (typeof declaration.run !== 'function') problems.push(`${at}.run: must be a function (service, args) => result`)
  if (declaration.args === undefined) return problems
  if (!Array.isArray(declaration.args)) return [...problems, `${at}.args: must be an array of argument declarations`]
  const seen = new Set<string>()
  for (const [index, arg] of (declaration.args as unknown[]).entries()) {
    const argAt = `${at}.args[${index}]`
    if (!isRecord(arg)) {
      problems.push(`${argAt}: expected {name, description, type, required?}`)
      continue
    }
    problems.push(...unknownKeys(arg, ARG_KEYS, 'is not an argument declaration key', `${argAt}.`))
    if (typeof arg.name !== 'string' || !IDENTIFIER.test(arg.name))
      problems.push(`${argAt}.name: must be a camelCase identifier, got ${describe(arg.name)}`)
    else if (seen.has(arg.name)) problems.push(`${argAt}.name: "${arg.name}" is declared twice`)
    else seen.add(arg.name)
    if (typeof arg.description !== 'string') problems.push(`${argAt}.description: must be a string`)
    if (!ARG_TYPES.includes(arg.type as PluginArgType))
      problems.push(`${argAt}.type: must be one of ${ARG_TYPES.join(', ')}, got ${describe(arg.type)}`)
    if (arg.required !== undefined && typeof arg.required !== 'boolean')
      problems.push(`${argAt}.required: must be a boolean`)
  }
  return problems
}

function isSchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'safeParse' in value && typeof value.safeParse === 'function'
}

/** zod 4 schemas carry `_zod`; zod 3's have only `_def` and fail deep inside zod 4's object parsing. */
function isZod4(value: unknown): boolean {
  return typeof value === 'object' && value !== null && '_zod' in value
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], what: string, at = ''): string[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => `${at}${key}: ${what}`)
}
