import type {ChalkInstance} from 'chalk'
import type {PluginStatus} from '../plugin/plugin.js'
import {plural} from '../util/plural.js'
import type {InstanceStatus, StatusReading} from '../operator/status.js'
import {didYouMean} from '../util/suggest.js'
import type {ViewStyle} from './format-jobs.js'
import {relativeTime, shortDuration} from './format-time.js'
import {renderTable, truncate} from './text-table.js'

// Last errors are cut to this many characters in the table; --json has them whole.
const ERROR_WIDTH = 60

/**
 * `oban status` for people: a summary line, then per instance a heading (nodes and leader) and
 * three tables (nodes; queues per node; plugins per node), blank lines between. Pure, and the
 * same cells on a terminal (boxed, coloured) and off it (aligned columns for grep and awk). A
 * leader without a presence row (an Elixir node) gets a row marked `not oban-ts`.
 *
 * ```
 * Instance Oban: 2 oban-ts nodes, leader o1
 * NODE  ROLE      PID   HOST    UP     SEEN
 * o1    leader    4242  host-a  3m 2s  now
 * o2    follower  4250  host-b  1h     3s ago
 * ```
 */
export function formatStatus(view: StatusReading, style: ViewStyle): string {
  const {status} = view
  const where = `${status.database} (schema ${status.prefix})`
  if (status.instances.length === 0) return nothingRunning(view, where)
  const nodes = status.instances.reduce((sum, i) => sum + i.nodes.length, 0)
  const blocks = [
    `${plural(status.instances.length, 'instance')}, ${plural(nodes, 'oban-ts node')} on ${where}`,
    ...status.instances.map((instance) => formatInstance(instance, style)),
  ]
  return blocks.join('\n\n')
}

function nothingRunning(view: StatusReading, where: string): string {
  if (view.instance === undefined) return `no node is running against ${where}`
  const others = view.otherInstances
  const hint = others.length > 0 ? `${didYouMean(view.instance, others)}; running instances: ${others.join(', ')}` : ''
  return `no node of instance ${view.instance} is running against ${where}${hint}`
}

function formatInstance(instance: InstanceStatus, style: ViewStyle): string {
  const {colors, now} = style
  const table = (head: string[], rows: string[][], alignRight: number[]) =>
    renderTable({head, rows, alignRight}, {tty: style.tty, color: colors.bold})
  const {leader} = instance
  const leads = leader === null ? 'no leader' : `leader ${leader.node}${leader.obanTs ? '' : ' (not oban-ts)'}`
  const count = instance.nodes.length === 0 ? 'no oban-ts node' : plural(instance.nodes.length, 'oban-ts node')
  const blocks = [`${colors.bold(`Instance ${instance.instance}`)}: ${count}, ${leads}`]

  const nodeRows = instance.nodes.map((node) => ({
    name: node.node,
    cells: [
      node.node,
      node.leader ? colors.green('leader') : node.role === 'viewer' ? colors.dim('viewer') : 'follower',
      String(node.pid),
      node.hostname,
      shortDuration(Math.max(0, now.getTime() - Date.parse(node.startedAt))),
      relativeTime(new Date(node.seenAt), now),
    ],
  }))
  if (leader !== null && !leader.obanTs)
    nodeRows.push({name: leader.node, cells: [leader.node, colors.green('leader, not oban-ts'), '-', '-', '-', '-']})
  nodeRows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const isolated = instance.nodes.filter((n) => n.notifier === 'isolated').map((n) => n.node)
  blocks[0] += `\n${table(
    ['NODE', 'ROLE', 'PID', 'HOST', 'UP', 'SEEN'],
    nodeRows.map((r) => r.cells),
    [2],
  )}`
  if (isolated.length > 0)
    blocks[0] += `\n${colors.yellow(`isolated notifier (hears no signals or calls from other processes): ${isolated.join(', ')}`)}`
  if (instance.nodes.length === 0) return blocks[0]!

  const queues = instance.nodes.flatMap((node) =>
    [...node.queues]
      .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0))
      .map((q) => [
        node.node,
        q.queue,
        String(q.limit),
        q.running === 0 ? colors.dim('0') : String(q.running),
        q.paused ? colors.yellow('paused') : 'running',
      ]),
  )
  blocks.push(queues.length === 0 ? 'no queues' : table(['NODE', 'QUEUE', 'LIMIT', 'RUNNING', 'STATE'], queues, [2, 3]))

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
