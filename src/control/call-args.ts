import {PluginArgumentError, UnknownPluginError, UnknownPluginFunctionError} from '../errors.js'
import {stringifyJson} from '../util/json.js'
import {argsFromArgv, checkArgs, type FunctionSignature} from '../plugin/arguments.js'
import type {NodePresence} from '../cluster/presence-record.js'
import {didYouMean} from '../util/suggest.js'
import {MAX_ARGS_BYTES} from './protocol.js'

/**
 * Splits the addressed nodes into those that run `plugin` (the call goes to them) and those that
 * do not (skipped: a viewer such as `oban breakdown`, or a node of a rolling deploy without the
 * plugin). Presence order is kept in both lists.
 */
export function splitByPlugin(
  nodes: readonly NodePresence[],
  plugin: string,
): {running: NodePresence[]; skipped: NodePresence[]} {
  const running: NodePresence[] = []
  const skipped: NodePresence[] = []
  for (const node of nodes) (node.plugins.some((p) => p.name === plugin) ? running : skipped).push(node)
  return {running, skipped}
}

/**
 * Checks a call against what the addressed nodes declare in the presence table, before anything
 * is sent, and returns the arguments to send, checked and normalised by the same functions the
 * node applies (plugin/arguments.ts; durations in milliseconds). Throws, with suggestions:
 * - {@link UnknownPluginError} when none of the nodes runs the plugin (when they do not all run
 *   the same plugins, or `--node` picked one, the message names each node and its plugins);
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
  call: {plugin: string; fn: string; node?: string; args?: Record<string, unknown>; argv?: readonly string[]},
): Record<string, unknown> {
  const instance = nodes[0]?.instance ?? ''
  const running = nodes.flatMap((n) => n.plugins.filter((p) => p.name === call.plugin))
  if (running.length === 0) {
    const known = [...new Set(nodes.flatMap((n) => n.plugins.map((p) => p.name)))]
    throw new UnknownPluginError(call.plugin, {instance, known, message: noRunnerMessage(nodes, call, known)})
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
  const bytes = Buffer.byteLength(stringifyJson(checked) ?? '', 'utf8')
  if (bytes > MAX_ARGS_BYTES)
    throw new PluginArgumentError(call.plugin, call.fn, [
      `the arguments are ${bytes} bytes as JSON, more than the ${MAX_ARGS_BYTES} a node accepts`,
    ])
  return checked
}

/**
 * Why no addressed node can take the call. Nodes that all run the same plugins keep the short
 * form (`instance "Other" has no plugin "Stats"; its plugins: Breakdown, Echo`); otherwise, or
 * for one node picked with `--node`, each node is named with what it runs.
 */
function noRunnerMessage(
  nodes: readonly NodePresence[],
  call: {plugin: string; node?: string},
  known: readonly string[],
): string | undefined {
  const {plugin} = call
  const sets = new Set(nodes.map((n) => pluginNames(n).join(', ')))
  if (call.node === undefined && sets.size <= 1) return undefined
  const instance = nodes[0]?.instance ?? ''
  const runs = (n: NodePresence) => {
    const names = pluginNames(n)
    return names.length > 0 ? names.join(', ') : 'no plugins'
  }
  const hint = didYouMean(plugin, [...known].sort())
  if (call.node !== undefined && nodes.length === 1) {
    const [node] = nodes as [NodePresence]
    return `node ${node.node} of instance "${instance}" does not run plugin "${plugin}"${hint}; it runs ${runs(node)}`
  }
  const list = nodes.map((n) => `${n.node}${n.role === 'viewer' ? ' (viewer)' : ''} runs ${runs(n)}`)
  return `no node of instance "${instance}" runs plugin "${plugin}"${hint}: ${list.join('; ')}`
}

function pluginNames(node: NodePresence): string[] {
  return node.plugins.map((p) => p.name).sort()
}
