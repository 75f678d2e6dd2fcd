import {formatDuration} from '../util/duration.js'
import {ObanError} from '../errors.js'
import type {NodeCallResult, PluginCallResult} from './client.js'

/**
 * A plugin call did not succeed on every addressed node: some replied with an error, did not
 * answer in time, or cannot be reached. The message names each of them on one line; `result`
 * holds every node's outcome (the CLI prints it before this error, and in `--json` output).
 */
export class PluginCallFailedError extends ObanError {
  readonly result: PluginCallResult

  constructor(result: PluginCallResult) {
    super('plugin_call_failed', failureMessage(result))
    this.result = result
  }
}

function failureMessage(result: PluginCallResult): string {
  const failed = result.nodes.filter((n) => n.status !== 'ok' && n.status !== 'skipped')
  // Nodes that do not run the plugin were not called: they count neither way.
  const called = result.nodes.filter((n) => n.status !== 'skipped')
  const what = `${result.plugin}.${result.fn}`
  if (failed.length === 1 && called.length === 1) {
    const [n] = failed as [NodeCallResult]
    return n.status === 'error' ? `${what} failed on ${n.instance}.${n.node}: ${n.error?.message}` : problem(n, result)
  }
  const list = failed.map((n) =>
    n.status === 'error' ? `${n.instance}.${n.node}: ${n.error?.message}` : problem(n, result),
  )
  return `${what} failed on ${failed.length} of ${called.length} nodes: ${list.join('; ')}`
}

function problem(n: NodeCallResult, result: PluginCallResult): string {
  const name = `${n.instance}.${n.node}`
  if (n.status === 'no_reply') return `${name} did not answer within ${formatDuration(result.timeoutMs)}`
  return `${name} cannot be called from another process (it runs the isolated notifier or none)`
}
