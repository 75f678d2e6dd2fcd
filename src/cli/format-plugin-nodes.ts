import type {NodePresence, PresenceFunction, PresencePlugin} from '../cluster/presence-record.js'

/**
 * `oban plugin list` as text: a block per node (blank lines between), then one line per plugin (name, state, restarts,
 * last error) and one per interface function with its arguments:
 *
 * ```
 * Other.n1  pid 4242 on host-a, leader, up 3m, seen 2s ago
 *   Breakdown  paused  Counts jobs by queue and state every interval
 *     pause                 Stop counting until resumed
 *     scale LIMIT [QUEUE]   Change the limit (LIMIT: integer, QUEUE: string)
 * ```
 */
export function formatNodes(nodes: readonly NodePresence[], now: Date): string[] {
  const lines: string[] = []
  for (const node of nodes) {
    if (lines.length > 0) lines.push('')
    const facts = [
      `pid ${node.pid} on ${node.hostname}`,
      node.leader ? 'leader' : undefined,
      node.notifier === 'isolated' ? 'isolated notifier: not callable' : undefined,
      node.notifier === 'none' ? 'no notifier (polling): not callable' : undefined,
      `up ${ago(node.startedAt, now)}`,
      `seen ${ago(node.seenAt, now)} ago`,
    ].filter((fact) => fact !== undefined)
    lines.push(`${node.instance}.${node.node}  ${facts.join(', ')}`)
    if (node.plugins.length === 0) lines.push('  (no plugins)')
    const width = Math.max(0, ...node.plugins.map((p) => p.name.length))
    for (const plugin of node.plugins) {
      lines.push(
        `  ${plugin.name.padEnd(width)}  ${state(plugin)}${plugin.description ? `  ${plugin.description}` : ''}`,
      )
      const signatures = plugin.functions.map(signature)
      const fnWidth = Math.max(0, ...signatures.map((s) => s.length))
      plugin.functions.forEach((fn, i) => {
        lines.push(`    ${signatures[i]!.padEnd(fnWidth)}  ${fn.description}${argTypes(fn)}`.trimEnd())
      })
    }
  }
  return lines
}

function state(plugin: PresencePlugin): string {
  const parts: string[] = [plugin.status]
  if (plugin.leaderOnly) parts.push('leader only')
  if (plugin.restarts > 0) parts.push(`${plugin.restarts} restart${plugin.restarts > 1 ? 's' : ''}`)
  if (plugin.lastError && (plugin.status === 'failed' || plugin.status === 'restarting'))
    parts.push(`last error: ${plugin.lastError}`)
  return parts.length === 1 ? plugin.status : `${plugin.status} (${parts.slice(1).join(', ')})`
}

/** `scale LIMIT [QUEUE]`: required arguments bare, optional ones in brackets. */
function signature(fn: PresenceFunction): string {
  const args = fn.args.map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`))
  return [fn.name, ...args].join(' ')
}

function argTypes(fn: PresenceFunction): string {
  if (fn.args.length === 0) return ''
  return ` (${fn.args.map((a) => `${a.name.toUpperCase()}: ${a.type}${a.description ? `, ${a.description}` : ''}`).join('; ')})`
}

/** `3s`, `5m`, `2h`, `4d`: the time from `then` to `now`, coarsely. */
function ago(then: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000))
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}
