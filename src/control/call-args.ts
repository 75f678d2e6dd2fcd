import {PluginArgumentError, UnknownPluginError, UnknownPluginFunctionError} from '../errors.js'
import type {Plugin, PluginFunction, PluginService} from '../plugin/plugin.js'
import {checkPluginArgs, parsePluginArg} from '../plugin/arguments.js'
import type {NodePresence, PresenceFunction} from '../cluster/presence-record.js'
import {MAX_ARGS_BYTES} from './protocol.js'

/**
 * Checks a call against what the addressed nodes declare in the presence table, before anything
 * is sent, and returns the arguments to send (normalised as the node would: durations in
 * milliseconds). Throws, with suggestions:
 * - {@link UnknownPluginError} when none of the nodes runs the plugin;
 * - {@link UnknownPluginFunctionError} when none of those declares the function;
 * - {@link PluginArgumentError} for arguments that do not match the declaration: too many
 *   positional ones, a value that does not parse as its type, a missing required one, an unknown
 *   name, or arguments too large to send.
 *
 * Nodes of one instance normally run the same plugins; during a rolling deploy they may not, and
 * the first node that declares the function is the reference (the others check again and reply
 * with their own errors).
 */
export function prepareCall(
  nodes: readonly NodePresence[],
  call: {plugin: string; fn: string; args?: Record<string, unknown>; argv?: readonly string[]},
): Record<string, unknown> {
  const instance = nodes[0]?.instance ?? ''
  const running = nodes.flatMap((n) => n.plugins.filter((p) => p.name === call.plugin))
  if (running.length === 0) {
    const known = [...new Set(nodes.flatMap((n) => n.plugins.map((p) => p.name)))]
    throw new UnknownPluginError(call.plugin, {instance, known})
  }
  const declared = running.flatMap((p) => p.functions.filter((f) => f.name === call.fn))[0]
  if (!declared) {
    const known = [...new Set(running.flatMap((p) => p.functions.map((f) => f.name)))]
    throw new UnknownPluginFunctionError(call.plugin, call.fn, known)
  }
  if (call.argv !== undefined && call.args !== undefined)
    throw new PluginArgumentError(call.plugin, call.fn, [
      'give arguments either by name (args) or by position (argv), not both',
    ])
  const plugin = declaredPlugin(call.plugin, declared)
  const args = call.argv === undefined ? (call.args ?? {}) : positional(plugin, declared, call.argv)
  const checked = checkPluginArgs(plugin, call.fn, args)
  const bytes = Buffer.byteLength(JSON.stringify(checked), 'utf8')
  if (bytes > MAX_ARGS_BYTES)
    throw new PluginArgumentError(call.plugin, call.fn, [
      `the arguments are ${bytes} bytes as JSON, more than the ${MAX_ARGS_BYTES} a node accepts`,
    ])
  return checked
}

/** Positional text arguments in the declared order, each parsed by its declared type. */
function positional(plugin: Plugin, declared: PresenceFunction, argv: readonly string[]): Record<string, unknown> {
  const names = declared.args.map((a) => a.name)
  if (argv.length > names.length) {
    const takes =
      names.length === 0
        ? 'takes no arguments'
        : `takes at most ${names.length} argument${names.length > 1 ? 's' : ''} (${names.join(', ')})`
    throw new PluginArgumentError(plugin.pluginName, declared.name, [
      `${takes}, got ${argv.length}: ${argv.map((a) => JSON.stringify(a)).join(' ')}`,
    ])
  }
  const values: Record<string, unknown> = {}
  argv.forEach((text, i) => {
    const arg = declared.args[i]!
    values[arg.name] = parsePluginArg(plugin, declared.name, arg, text)
  })
  return values
}

/**
 * A stand-in for a plugin known only by its declaration (read from another process's presence
 * row), so that the same checks as in the node (`checkPluginArgs`, `parsePluginArg`) apply here.
 * It cannot be started or run.
 */
function declaredPlugin(name: string, fn: PresenceFunction): Plugin {
  const declaration: PluginFunction<PluginService> = {
    description: fn.description,
    args: fn.args,
    run: () => {
      throw new Error(`${name}.${fn.name} runs on its node, not here`)
    },
  }
  const plugin: Plugin = {
    kind: 'oban-ts.plugin',
    pluginName: name,
    definition: {
      name,
      functions: {[fn.name]: declaration},
      create: () => {
        throw new Error(`${name} is only a declaration read from the presence table`)
      },
    },
  }
  return plugin
}
