import {parseDuration} from '../util/duration.js'
import {PluginArgumentError, UnknownPluginFunctionError} from '../errors.js'
import type {Plugin, PluginFunction, PluginFunctionArg, PluginService} from './plugin.js'
import {didYouMean} from '../util/suggest.js'
import {describe, isRecord} from '../util/guards.js'

/**
 * The declaration of a plugin's interface function, or {@link UnknownPluginFunctionError} with a
 * suggestion and the list of its functions.
 */
export function pluginFunction(plugin: Plugin, fn: string): PluginFunction<PluginService> {
  const functions = plugin.definition.functions ?? {}
  const declaration = Object.hasOwn(functions, fn) ? functions[fn] : undefined
  if (!declaration) throw new UnknownPluginFunctionError(plugin.pluginName, fn, Object.keys(functions))
  return declaration
}

/**
 * What checking a call needs of an interface function: the plugin and function it names (for
 * messages) and the declared arguments. A node builds it from the plugin it runs; a caller in
 * another process from the declaration that node published in its presence row. Both check
 * through the functions below, so a call is judged the same on either side.
 */
export interface FunctionSignature {
  readonly plugin: string
  readonly fn: string
  readonly args: readonly PluginFunctionArg[]
}

/** The signature of a plugin's function, or {@link UnknownPluginFunctionError}. */
export function signatureOf(plugin: Plugin, fn: string): FunctionSignature {
  return {plugin: plugin.pluginName, fn, args: pluginFunction(plugin, fn).args ?? []}
}

/**
 * Checks call arguments against a function's declaration and returns them normalised: every
 * problem at once as a {@link PluginArgumentError} (unknown argument with a suggestion, missing
 * required one, wrong type). Durations become milliseconds; an integer must be a safe integer;
 * `json` takes any JSON-serialisable value. Arguments given as `undefined` count as absent.
 */
export function checkPluginArgs(plugin: Plugin, fn: string, args: unknown = {}): Record<string, unknown> {
  return checkArgs(signatureOf(plugin, fn), args)
}

/** {@link checkPluginArgs} against a signature. */
export function checkArgs(signature: FunctionSignature, args: unknown = {}): Record<string, unknown> {
  const {plugin, fn, args: declared} = signature
  if (!isRecord(args))
    throw new PluginArgumentError(plugin, fn, [`expected an object of arguments, got ${describe(args)}`])
  const problems: string[] = []
  const names = declared.map((arg) => arg.name)
  for (const key of Object.keys(args))
    if (!names.includes(key))
      problems.push(
        `unknown argument "${key}"${didYouMean(key, names)}${names.length === 0 ? ` (${fn} takes no arguments)` : ''}`,
      )
  const out: Record<string, unknown> = {}
  for (const arg of declared) {
    const value = args[arg.name]
    if (value === undefined) {
      if (arg.required) problems.push(`${arg.name}: is required (${arg.description})`)
      continue
    }
    const checked = checkValue(arg, value)
    if (checked.ok) out[arg.name] = checked.value
    else problems.push(`${arg.name}: ${checked.reason}`)
  }
  if (problems.length > 0) throw new PluginArgumentError(plugin, fn, problems)
  return out
}

/**
 * Arguments given as text by position (`oban plugin FN PLUGIN ARGS...`), in the declared order,
 * each parsed by its declared type. Throws {@link PluginArgumentError} for more values than the
 * function declares or a value that does not parse.
 */
export function argsFromArgv(signature: FunctionSignature, argv: readonly string[]): Record<string, unknown> {
  const names = signature.args.map((a) => a.name)
  if (argv.length > names.length) {
    const takes =
      names.length === 0
        ? 'takes no arguments'
        : `takes at most ${names.length} argument${names.length > 1 ? 's' : ''} (${names.join(', ')})`
    throw new PluginArgumentError(signature.plugin, signature.fn, [
      `${takes}, got ${argv.length}: ${argv.map((a) => JSON.stringify(a)).join(' ')}`,
    ])
  }
  const values: Record<string, unknown> = {}
  argv.forEach((text, i) => {
    const arg = signature.args[i]!
    values[arg.name] = parseArg(signature, arg, text)
  })
  return values
}

/**
 * Parses an argument given as text (a command-line value) into the declared type: `integer` and
 * `number` as numbers, `boolean` as true/false/yes/no/1/0, `duration` as milliseconds, `json` as
 * JSON, `string` as is. Throws {@link PluginArgumentError} naming the function and argument.
 */
export function parsePluginArg(plugin: Plugin, fn: string, arg: PluginFunctionArg, text: string): unknown {
  return parseArg({plugin: plugin.pluginName, fn, args: [arg]}, arg, text)
}

function parseArg(signature: FunctionSignature, arg: PluginFunctionArg, text: string): unknown {
  const trimmed = text.trim()
  let value: unknown = text
  if (arg.type === 'integer' || arg.type === 'number') value = trimmed === '' ? text : Number(trimmed)
  else if (arg.type === 'boolean') {
    const lower = trimmed.toLowerCase()
    value = ['true', 'yes', '1'].includes(lower) ? true : ['false', 'no', '0'].includes(lower) ? false : text
  } else if (arg.type === 'json') {
    try {
      value = JSON.parse(trimmed)
    } catch {
      throw new PluginArgumentError(signature.plugin, signature.fn, [
        `${arg.name}: expected JSON, got ${describe(text)}`,
      ])
    }
  }
  const checked = checkValue(arg, value)
  // The reason names what was typed, not what parsing made of it (NaN would print as null).
  if (!checked.ok)
    throw new PluginArgumentError(signature.plugin, signature.fn, [
      `${arg.name}: ${reasonFor(arg, text, checked.reason)}`,
    ])
  return checked.value
}

function reasonFor(arg: PluginFunctionArg, text: string, reason: string): string {
  if (arg.type === 'integer') return `expected an integer, got ${describe(text)}`
  if (arg.type === 'number') return `expected a number, got ${describe(text)}`
  if (arg.type === 'boolean') return `expected true or false, got ${describe(text)}`
  return reason
}

function checkValue(arg: PluginFunctionArg, value: unknown): {ok: true; value: unknown} | {ok: false; reason: string} {
  const got = `got ${describe(value)}`
  switch (arg.type) {
    case 'string':
      return typeof value === 'string' ? {ok: true, value} : {ok: false, reason: `expected a string, ${got}`}
    case 'integer':
      return Number.isSafeInteger(value) ? {ok: true, value} : {ok: false, reason: `expected an integer, ${got}`}
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? {ok: true, value}
        : {ok: false, reason: `expected a number, ${got}`}
    case 'boolean':
      return typeof value === 'boolean' ? {ok: true, value} : {ok: false, reason: `expected true or false, ${got}`}
    case 'duration': {
      const parsed = parseDuration(value, {min: 0})
      return parsed.ok ? {ok: true, value: parsed.ms} : {ok: false, reason: parsed.reason}
    }
    case 'json':
      return isJson(value) ? {ok: true, value} : {ok: false, reason: `expected a JSON value, ${got}`}
  }
}

function isJson(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined
  } catch {
    return false
  }
}
