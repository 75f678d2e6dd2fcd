import {PluginArgumentError, UnknownPluginError, UnknownPluginFunctionError} from '../errors.js'
import {argsFromArgv, checkArgs, type FunctionSignature} from '../plugin/arguments.js'
import type {NodePresence} from '../cluster/presence-record.js'
import {MAX_ARGS_BYTES} from './protocol.js'

/**
 * Checks a call against what the addressed nodes declare in the presence table, before anything
 * is sent, and returns the arguments to send, checked and normalised by the same functions the
 * node applies (plugin/arguments.ts; durations in milliseconds). Throws, with suggestions:
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
  const signature: FunctionSignature = {plugin: call.plugin, fn: call.fn, args: declared.args}
  const args = call.argv === undefined ? (call.args ?? {}) : argsFromArgv(signature, call.argv)
  const checked = checkArgs(signature, args)
  const bytes = Buffer.byteLength(JSON.stringify(checked), 'utf8')
  if (bytes > MAX_ARGS_BYTES)
    throw new PluginArgumentError(call.plugin, call.fn, [
      `the arguments are ${bytes} bytes as JSON, more than the ${MAX_ARGS_BYTES} a node accepts`,
    ])
  return checked
}
