import type {ChalkInstance} from 'chalk'
import type {PluginStatus} from '../plugin/plugin.js'
import {plural} from '../util/plural.js'
import type {ClusterNode} from '../operator/cluster-nodes.js'
import type {InstanceStatus, LeaderStatus, StatusReading} from '../operator/status.js'
import {didYouMean} from '../util/suggest.js'
import type {ViewStyle} from './format-jobs.js'
import {
  countByRuntime,
  formatLeaderConflicts,
  formatUnplacedNodes,
  formatUnrunnable,
  NODE_HEAD,
  nodeCells,
  unknownNote,
} from './format-cluster.js'
import {renderTable, truncate} from './text-table.js'

// Last errors are cut to this many characters in the table; --json has them whole.
const ERROR_WIDTH = 60

/**
 * `oban status` for people: a summary line, then per instance a heading (nodes by runtime and
 * leader) and three tables (nodes of every runtime; queues per node; plugins per oban-ts node),
 * then the nodes whose instance cannot be known, two leaders if there are, and the jobs that can
 * never run; blank lines between. Pure, and the same cells on a terminal (boxed, coloured) and
 * off it (aligned columns for grep and awk).
 *
 * ```
 * 1 instance, 2 oban-ts nodes, 1 elixir node on localhost:5432/app (schema public)
 *
 * Instance Oban: 2 oban-ts nodes, 1 elixir node, leader o1
 * NODE      RUNTIME  ROLE      PID   HOST    UP     SEEN
 * elixir-1  elixir   follower  -     -       -      4s ago
 * o1        oban-ts  leader    4242  host-a  3m 2s  now
 * ```
 */
export function formatStatus(view: StatusReading, style: ViewStyle): string {
  const {status} = view
  const where = `${status.database} (schema ${status.prefix})`
  const unplaced = status.nodes.filter((n) => n.instance === null)
  if (status.instances.length === 0 && unplaced.length === 0) return nothingRunning(view, where)
  const blocks = [
    `${plural(status.instances.length, 'instance')}, ${countByRuntime(status.nodes)} on ${where}`,
    ...status.instances.map((instance) =>
      formatInstance(
        instance,
        status.nodes.filter((n) => n.instance === instance.instance),
        style,
      ),
    ),
  ]
  if (unplaced.length > 0) blocks.push(formatUnplacedNodes(unplaced, status.prefix, style))
  if (view.instance !== undefined && status.instances.length === 0) blocks.splice(1, 0, nothingRunning(view, where))
  if (status.leaderConflicts.length > 0) blocks.push(formatLeaderConflicts(status.leaderConflicts, style.colors))
  if (status.unrunnable.length > 0) blocks.push(formatUnrunnable(status.unrunnable, style))
  return blocks.join('\n\n')
}

function nothingRunning(view: StatusReading, where: string): string {
  if (view.instance === undefined) return `no node is running against ${where}`
  const others = view.otherInstances
  const hint = others.length > 0 ? `${didYouMean(view.instance, others)}; running instances: ${others.join(', ')}` : ''
  return `no node of instance ${view.instance} is running against ${where}${hint}`
}

function formatInstance(instance: InstanceStatus, everyone: readonly ClusterNode[], style: ViewStyle): string {
  const {colors} = style
  const table = (head: string[], rows: string[][], alignRight: number[]) =>
    renderTable({head, rows, alignRight}, {tty: style.tty, color: colors.bold})
  const {leader} = instance
  const leads = leader === null ? 'no leader' : `leader ${leader.node}${leaderNote(leader)}`
  const count = everyone.length === 0 ? 'no oban-ts node' : countByRuntime(everyone)
  const heading = [`${colors.bold(`Instance ${instance.instance}`)}: ${count}, ${leads}`]
  heading.push(
    table(
      NODE_HEAD,
      everyone.map((node) => nodeCells(node, style)),
      [3],
    ),
  )
  const isolated = instance.nodes.filter((n) => n.notifier === 'isolated').map((n) => n.node)
  if (isolated.length > 0)
    heading.push(
      colors.yellow(`isolated notifier (hears no signals or calls from other processes): ${isolated.join(', ')}`),
    )
  const polling = instance.nodes.filter((n) => n.notifier === 'none').map((n) => n.node)
  if (polling.length > 0)
    heading.push(
      colors.yellow(`no notifier (polls; hears no signals or calls from other processes): ${polling.join(', ')}`),
    )
  const blocks = [heading.join('\n')]

  const queues = everyone.flatMap((node) =>
    [...(node.queues ?? [])]
      .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0))
      .map((q) => [
        node.node,
        q.queue,
        q.limit === null ? colors.dim('unknown') : String(q.limit),
        q.running === null ? colors.dim('unknown') : q.running === 0 ? colors.dim('0') : String(q.running),
        q.paused ? colors.yellow('paused') : 'running',
      ]),
  )
  const unknown = unknownNote(everyone, colors)
  if (queues.length > 0 || instance.nodes.length > 0 || unknown !== undefined)
    blocks.push(
      [
        queues.length > 0
          ? table(['NODE', 'QUEUE', 'LIMIT', 'RUNNING', 'STATE'], queues, [2, 3])
          : unknown === undefined
            ? 'no queues'
            : undefined,
        unknown,
      ]
        .filter((line) => line !== undefined)
        .join('\n'),
    )
  if (instance.nodes.length === 0) return blocks.join('\n\n')

  const plugins = instance.nodes.flatMap((node) =>
    node.plugins.map((p) => [
      node.node,
      p.name,
      pluginState(p.status, colors),
      p.restarts === 0 ? colors.dim('0') : String(p.restarts),
      p.lastError === null ? colors.dim('-') : truncate(p.lastError, ERROR_WIDTH),
    ]),
  )
  blocks.push(
    plugins.length === 0 ? 'no plugins' : table(['NODE', 'PLUGIN', 'STATE', 'RESTARTS', 'LAST ERROR'], plugins, [3]),
  )
  return blocks.join('\n\n')
}

/** ` (elixir)`, ` (python)`, or for an oban-ts leader without a presence row, why it is listed. */
function leaderNote(leader: LeaderStatus): string {
  if (leader.obanTs) return ''
  if (leader.runtime === 'oban-ts') return ' (oban-ts, no presence row: gone?)'
  return ` (${leader.runtime})`
}

function pluginState(status: PluginStatus, colors: ChalkInstance): string {
  switch (status) {
    case 'failed':
      return colors.red(status)
    case 'restarting':
    case 'starting':
    case 'paused':
      return colors.yellow(status)
    case 'stopped':
      return colors.gray(status)
    default:
      return status
  }
}
