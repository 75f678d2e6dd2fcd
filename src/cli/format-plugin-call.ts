import {formatDuration} from '../util/duration.js'
import {stringifyJson} from '../util/json.js'
import type {NodeCallResult, PluginCallResult} from '../control/client.js'

/**
 * One line per addressed node, for `oban plugin FUNCTION PLUGIN`:
 * `Other.n1: ok`, `Other.n1: ok {"status":"paused"}`, `Other.n2: error: boom`,
 * `Other.n3: no answer within 5s`, `Other.viewer: skipped (does not run Stats)`.
 */
export function formatCallLines(result: PluginCallResult): string[] {
  return result.nodes.map(
    (n) =>
      `${n.instance}.${n.node}: ${outcome(n, result.timeoutMs, result.plugin)}${n.expected ? '' : ' (answered without being listed as live)'}`,
  )
}

function outcome(n: NodeCallResult, timeoutMs: number, plugin: string): string {
  switch (n.status) {
    case 'ok':
      if (n.truncated)
        return `ok (result truncated: ${n.truncated.bytes} bytes as JSON, the first part follows) ${String(n.result)}`
      return n.result === undefined || n.result === null
        ? 'ok'
        : `ok ${typeof n.result === 'string' ? n.result : stringifyJson(n.result)}`
    case 'error':
      return `error: ${n.error?.message ?? 'unknown error'}`
    case 'no_reply':
      return `no answer within ${formatDuration(timeoutMs)}`
    case 'unreachable':
      return 'not callable from another process (isolated notifier or none)'
    case 'skipped':
      return `skipped (does not run ${plugin})`
  }
}
