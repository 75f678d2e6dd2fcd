import type {ClusterNode} from '../operator/cluster-nodes.js'
import type {NodesView} from '../operator/nodes-view.js'
import {countByRuntime, formatLeaderConflicts, unknownNote} from './format-cluster.js'
import type {ViewStyle} from './format-jobs.js'
import {relativeTime} from './format-time.js'
import {renderTable} from './text-table.js'

/**
 * `oban nodes` for people: a summary line, one row per node of every runtime (its instance, role,
 * queues with their limits, jobs running, last sign of life), what cannot be known, and two
 * leaders if there are.
 *
 * ```
 * 3 nodes: 1 oban-ts node, 1 elixir node, 1 python node on localhost:5432/app (schema public)
 * NODE      RUNTIME  INSTANCE  ROLE      QUEUES                        RUNNING  SEEN
 * o1        oban-ts  Oban      leader    default 10, mailers 2 paused  3        now
 * py-1      python   Oban      follower  default 10                    5        3s ago
 * elixir-1  elixir   -         follower  unknown                       unknown  40s ago
 * ```
 */
export function formatNodes(view: NodesView, style: ViewStyle, asked: {instance?: string} = {}): string {
  const {colors, now} = style
  const where = `${view.database} (schema ${view.prefix})`
  if (view.nodes.length === 0) {
    const whose = asked.instance === undefined ? 'no node' : `no node of instance ${asked.instance}`
    return `${whose} is running against ${where} (Elixir nodes show once a running oban-ts node has heard their pings)`
  }
  const rows = view.nodes.map((node) => [
    node.node,
    node.runtime === 'oban-ts' ? node.runtime : colors.cyan(node.runtime),
    node.instance ?? colors.dim('unknown'),
    node.leader ? colors.green('leader') : node.role === 'viewer' ? colors.dim('viewer') : 'follower',
    describeQueues(node, style),
    node.queues === null ? colors.dim('unknown') : String(node.queues.reduce((sum, q) => sum + (q.running ?? 0), 0)),
    node.seenAt === null ? colors.dim('-') : relativeTime(new Date(node.seenAt), now),
  ])
  const blocks = [
    [
      `${view.nodes.length === 1 ? '1 node' : `${view.nodes.length} nodes`}: ${countByRuntime(view.nodes)} on ${where}`,
      renderTable(
        {head: ['NODE', 'RUNTIME', 'INSTANCE', 'ROLE', 'QUEUES', 'RUNNING', 'SEEN'], rows, alignRight: [5]},
        {tty: style.tty, color: colors.bold, maxWidth: style.tty ? style.width : undefined},
      ),
      unknownNote(view.nodes, colors),
    ]
      .filter((line) => line !== undefined)
      .join('\n'),
  ]
  if (view.leaderConflicts.length > 0) blocks.push(formatLeaderConflicts(view.leaderConflicts, colors))
  return blocks.join('\n\n')
}

/** `default 10, mailers 2 paused`, `none`, or `unknown` (Elixir). */
function describeQueues(node: ClusterNode, style: ViewStyle): string {
  const {colors} = style
  if (node.queues === null) return colors.dim('unknown')
  if (node.queues.length === 0) return colors.dim('none')
  return node.queues
    .map((q) => `${q.queue} ${q.limit ?? '?'}${q.paused ? ` ${colors.yellow('paused')}` : ''}`)
    .join(', ')
}
