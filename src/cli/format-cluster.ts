import type {ChalkInstance} from 'chalk'
import {plural} from '../util/plural.js'
import type {NodeConnections} from '../cluster/presence-record.js'
import type {ClusterNode, LeaderConflictView, NodeRuntime} from '../operator/cluster-nodes.js'
import type {UnrunnableJobs} from '../operator/status.js'
import type {ViewStyle} from './format-jobs.js'
import {relativeTime, shortDuration} from './format-time.js'
import {renderTable} from './text-table.js'

/**
 * The parts of `oban status`, `oban nodes` and `oban queue list` that describe nodes of every
 * runtime, the leaders that conflict and the jobs that can never run. Pure, like the tables.
 */

const RUNTIMES: readonly NodeRuntime[] = ['oban-ts', 'elixir', 'python']

/** `2 oban-ts nodes, 1 elixir node`: oban-ts always, the others when present. */
export function countByRuntime(nodes: readonly ClusterNode[]): string {
  return RUNTIMES.map((runtime) => [runtime, nodes.filter((n) => n.runtime === runtime).length] as const)
    .filter(([runtime, n]) => runtime === 'oban-ts' || n > 0)
    .map(([runtime, n]) => plural(n, `${runtime} node`))
    .join(', ')
}

/** A node's cells for the NODE, RUNTIME, ROLE, PID, HOST, UP, SEEN table. */
export function nodeCells(node: ClusterNode, style: ViewStyle): string[] {
  const {colors, now} = style
  const role = node.leader ? colors.green('leader') : node.role === 'viewer' ? colors.dim('viewer') : 'follower'
  const dash = colors.dim('-')
  return [
    node.node,
    node.runtime === 'oban-ts' ? node.runtime : colors.cyan(node.runtime),
    role,
    node.pid === null ? dash : String(node.pid),
    node.hostname ?? dash,
    node.startedAt === null ? dash : shortDuration(Math.max(0, now.getTime() - Date.parse(node.startedAt))),
    node.seenAt === null ? dash : relativeTime(new Date(node.seenAt), now),
    node.connections === undefined ? dash : connectionsCell(node.connections),
  ]
}

/** `3/10+2`: pool connections open of the pool's size, plus the node's own sessions (LISTEN, lease). */
function connectionsCell(c: NodeConnections): string {
  return `${c.pool}/${c.poolSize}+${c.notifier + c.lease}`
}

export const NODE_HEAD = ['NODE', 'RUNTIME', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN', 'CONN']

/**
 * What cannot be known about these nodes, one line, or undefined when all is known: Elixir
 * nodes publish no queues, limits or running jobs.
 */
export function unknownNote(nodes: readonly ClusterNode[], colors: ChalkInstance): string | undefined {
  const opaque = nodes.filter((n) => n.queues === null).map((n) => n.node)
  if (opaque.length === 0) return undefined
  return colors.dim(
    `${opaque.join(', ')} (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)`,
  )
}

/** The block for nodes whose instance cannot be known (Elixir nodes heard on the sonar channel). */
export function formatUnplacedNodes(nodes: readonly ClusterNode[], prefix: string, style: ViewStyle): string {
  const rows = nodes.map((n) => nodeCells(n, style))
  const table = renderTable({head: NODE_HEAD, rows, alignRight: [3]}, {tty: style.tty, color: style.colors.bold})
  const heading = `${style.colors.bold('Instance unknown')}: ${countByRuntime(nodes)} heard on ${prefix}.oban_sonar (a ping names no instance)`
  return [heading, table, unknownNote(nodes, style.colors)].filter((l) => l !== undefined).join('\n')
}

/** Two leaders at once: who, what it costs, how to end it. */
export function formatLeaderConflicts(conflicts: readonly LeaderConflictView[], colors: ChalkInstance): string {
  return conflicts
    .map((c) => {
      const others = c.peers.map((p) => `${p.node} (instance ${p.instance})`).join(', ')
      return [
        colors.red(
          `Two leaders: Python Oban node ${c.python.node} (instance ${c.python.instance}) leads in oban_leaders while ${others} ${c.peers.length === 1 ? 'leads' : 'lead'} in oban_peers.`,
        ),
        `Cost: ${c.cost}.`,
        `Fix: ${c.fix}.`,
      ].join('\n')
    })
    .join('\n\n')
}

/**
 * The jobs that can never run: a line with the total, a table per queue and state with the
 * lowest ids, and the command that makes them runnable.
 */
export function formatUnrunnable(groups: readonly UnrunnableJobs[], style: ViewStyle): string {
  const {colors} = style
  const total = groups.reduce((sum, g) => sum + g.count, 0)
  const rows = groups.map((g) => [
    g.queue,
    g.state,
    String(g.count),
    `${g.ids.join(', ')}${g.count > g.ids.length ? ', …' : ''}`,
  ])
  const ids = groups.flatMap((g) => g.ids)
  const partial = groups.some((g) => g.count > g.ids.length)
  const hint = partial
    ? `\`oban job retry ${ids.join(' ')}\` gives these an attempt; \`oban job list --queue Q --state S\` lists the others.`
    : `\`oban job retry ${ids.join(' ')}\` gives ${ids.length === 1 ? 'it' : 'them'} an attempt.`
  return [
    colors.yellow(`${plural(total, 'job')} can never run (no attempt left: attempt >= max_attempts):`),
    renderTable({head: ['QUEUE', 'STATE', 'JOBS', 'IDS'], rows, alignRight: [2]}, {tty: style.tty, color: colors.bold}),
    hint,
  ].join('\n')
}
