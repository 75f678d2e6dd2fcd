import type {ChalkInstance} from 'chalk'
import type {NodePresence, PresenceFunction} from '../../cluster/presence-record.js'
import type {InstanceStatus} from '../../operator/status.js'
import {relativeTime} from '../format-time.js'
import type {ViewFrame} from './queues-view.js'
import {cell, fitColumns, scrollWindow, tableLine, type Column} from './text.js'

/** A row of the Nodes tab: a live oban-ts node, or the leader of an instance seen only by its lease. */
export interface NodeRow {
  instance: string
  node: string
  runtime: string
  leader: boolean
  startedAt: Date | null
  queues: string
  plugins: string
  /** The presence row (plugins and their functions), absent for a lease-only leader. */
  presence?: NodePresence
}

/**
 * The rows of the Nodes tab, by instance then node: every live oban-ts node (a viewer such as
 * this dash says so), and for an instance whose leader writes no presence row (an Elixir or
 * Python node) that leader, from its lease.
 */
export function nodeRows(instances: readonly InstanceStatus[], presence: readonly NodePresence[]): NodeRow[] {
  const rows: NodeRow[] = []
  for (const instance of instances) {
    for (const node of instance.nodes) {
      const record = presence.find((p) => p.instance === instance.instance && p.node === node.node)
      rows.push({
        instance: instance.instance,
        node: node.node,
        runtime: node.role === 'viewer' ? 'oban-ts viewer' : 'oban-ts',
        leader: node.leader,
        startedAt: new Date(node.startedAt),
        queues: node.queues.map((q) => `${q.queue} ${q.running}/${q.limit}${q.paused ? ' paused' : ''}`).join(', '),
        plugins: node.plugins.map((p) => (p.status === 'running' ? p.name : `${p.name} (${p.status})`)).join(', '),
        presence: record,
      })
    }
    if (instance.leader && !instance.leader.obanTs)
      rows.push({
        instance: instance.instance,
        node: instance.leader.node,
        runtime: 'Elixir/Python',
        leader: true,
        startedAt: new Date(instance.leader.startedAt),
        queues: '(not published)',
        plugins: '(not published)',
      })
  }
  return rows
}

export function nodesView(props: {rows: readonly NodeRow[]; selected: number; now: Date}, frame: ViewFrame): string[] {
  const {width, height, colors} = frame
  const instances = new Set(props.rows.map((r) => r.instance)).size
  const title = `${props.rows.length} node${props.rows.length === 1 ? '' : 's'} in ${instances} instance${instances === 1 ? '' : 's'}`
  if (props.rows.length === 0) return [cell('No node is running on this database and schema.', width)]
  const columns: Column<NodeRow>[] = [
    {title: 'instance', width: 10, value: (r) => r.instance, drop: 2},
    {title: 'node', width: 16, value: (r) => r.node},
    {title: 'runtime', width: 14, value: (r) => r.runtime},
    {title: 'leader', width: 6, value: (r) => (r.leader ? colors.yellow('leader') : '')},
    {title: 'started', width: 11, value: (r) => relativeTime(r.startedAt, props.now), drop: 1},
    {title: 'queues (running/limit)', width: 'flex', value: (r) => r.queues},
    {title: 'plugins', width: 30, value: (r) => r.plugins, drop: 3},
  ]
  const fitted = fitColumns(columns, width - 2)
  const room = Math.max(1, height - 3)
  const offset = scrollWindow(props.rows.length, room, props.selected)
  const rows = props.rows.slice(offset, offset + room).map((r, i) => {
    const chosen = offset + i === props.selected
    const line = `${chosen ? '>' : ' '} ${tableLine(fitted, r, width - 2)}`
    return chosen ? colors.inverse(line) : line
  })
  return [
    cell(`${title} · Enter: plugins and their functions`, width),
    '',
    colors.bold(`  ${tableLine(fitted, undefined, width - 2)}`),
    ...rows,
  ]
}

/** A callable function of a node's plugin, as the node declared it. */
export interface FunctionRow {
  plugin: string
  fn: PresenceFunction
}

export function functionRows(row: NodeRow): FunctionRow[] {
  return (row.presence?.plugins ?? []).flatMap((plugin) => plugin.functions.map((fn) => ({plugin: plugin.name, fn})))
}

/** `scale LIMIT [QUEUE]`: required arguments bare, optional ones in brackets. */
export function signature(fn: PresenceFunction): string {
  return [fn.name, ...fn.args.map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`))].join(' ')
}

/**
 * A node's detail: its facts, each plugin with its state, and its interface functions with their
 * declared arguments (selectable: Enter asks for the arguments and calls it).
 */
export function nodeDetailView(
  props: {row: NodeRow; selected: number; readonly: boolean; now: Date},
  frame: ViewFrame,
): string[] {
  const {width, colors} = frame
  const {row} = props
  const lines = [
    colors.bold(cell(`${row.instance}.${row.node}`, width)),
    cell(
      `runtime ${row.runtime}${row.leader ? ', leader' : ''}, started ${relativeTime(row.startedAt, props.now)}` +
        (row.presence ? `, pid ${row.presence.pid} on ${row.presence.hostname}` : ''),
      width,
    ),
    cell(`queues: ${row.queues || '(none)'}`, width),
    '',
  ]
  if (!row.presence) return [...lines, cell('This node does not publish its plugins (not an oban-ts node).', width)]
  if (row.presence.plugins.length === 0) lines.push('(no plugins)')
  let index = 0
  for (const plugin of row.presence.plugins) {
    const state = plugin.status + (plugin.restarts > 0 ? `, ${plugin.restarts} restarts` : '')
    const error = plugin.lastError ? ` · last error: ${plugin.lastError}` : ''
    lines.push(
      cell(
        `${colors.bold(plugin.name)}  ${paintStatus(plugin.status, state, colors)}${plugin.leaderOnly ? ' · leader only' : ''}${error}`,
        width,
      ),
    )
    for (const fn of plugin.functions) {
      const chosen = index++ === props.selected
      const args = fn.args.map((a) => `${a.name}: ${a.type}${a.required ? '' : '?'}`).join(', ')
      const line = cell(
        `${chosen ? '>' : ' '}   ${signature(fn).padEnd(24)} ${fn.description}${args ? ` (${args})` : ''}`,
        width,
      )
      lines.push(chosen ? colors.inverse(line) : line)
    }
  }
  if (index === 0) lines.push('', cell('No plugin function to call.', width))
  else if (!props.readonly)
    lines.push('', cell('↑↓ choose a function · Enter call it (asks for its arguments) · Esc back', width))
  return lines
}

function paintStatus(status: string, text: string, colors: ChalkInstance): string {
  if (status === 'running') return colors.green(text)
  if (status === 'failed' || status === 'restarting') return colors.red(text)
  return colors.yellow(text)
}
