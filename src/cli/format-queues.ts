import type {ChalkInstance} from 'chalk'
import type {QueueListing, QueueOverview} from '../operator/queue-overview.js'
import {formatCount} from '../util/format-count.js'
import {plural} from '../util/plural.js'
import {formatUnrunnable, unknownNote} from './format-cluster.js'
import {shortDuration} from './format-time.js'
import {renderTable} from './text-table.js'

/** `1,234`: counts are easier to compare with separators. */
const count = formatCount

/**
 * The queue table of `oban queue list`: counts per state, the latency (how long the oldest
 * available job has waited) and the oban-ts nodes running the queue, a zero dimmed so that the
 * non-zero counts stand out.
 */
export function formatQueues(
  queues: readonly QueueOverview[],
  style: {tty: boolean; colors: ChalkInstance; width?: number},
): string {
  const {colors} = style
  const cell = (n: number) => (n === 0 ? colors.dim('0') : count(n))
  const rows = queues.map((q) => [
    q.queue,
    cell(q.available),
    cell(q.scheduled),
    cell(q.executing),
    q.retryable === 0 ? colors.dim('0') : colors.magenta(count(q.retryable)),
    q.latencyMs === null ? colors.dim('-') : shortDuration(q.latencyMs),
    describeQueueNodes(q.nodes, colors),
  ])
  return renderTable(
    {
      head: ['QUEUE', 'AVAILABLE', 'SCHEDULED', 'EXECUTING', 'RETRYABLE', 'LATENCY', 'NODES'],
      rows,
      alignRight: [1, 2, 3, 4, 5],
    },
    {tty: style.tty, color: colors.bold, maxWidth: style.tty ? style.width : undefined},
  )
}

/**
 * `oban queue list`'s output: the queue table (or one line saying that no queue has unfinished
 * jobs in the schema and that no node, of the instance asked for, is known to run one), then what
 * cannot be known about Elixir nodes' queues, and the jobs that can never run.
 */
export function formatQueueList(
  listing: QueueListing,
  asked: {prefix: string; instance?: string},
  style: {tty: boolean; colors: ChalkInstance; width?: number; now: Date},
): string {
  const {queues, opaqueNodes} = listing
  const blocks: string[] = []
  if (queues.length > 0) {
    const unknown = unknownNote(opaqueNodes, style.colors)
    blocks.push(unknown === undefined ? formatQueues(queues, style) : `${formatQueues(queues, style)}\n${unknown}`)
  } else {
    const schema = asked.prefix === 'public' ? '' : ` in schema ${asked.prefix}`
    const nodes = asked.instance === undefined ? 'no node' : `no node of instance ${asked.instance}`
    const elixir =
      opaqueNodes.length > 0
        ? ` (${plural(opaqueNodes.length, 'Elixir node')} ${opaqueNodes.length === 1 ? 'is' : 'are'} alive, ${opaqueNodes.map((n) => n.node).join(', ')}: ${opaqueNodes.length === 1 ? 'its' : 'their'} queues are unknown)`
        : ''
    blocks.push(
      `No queue has available, scheduled, executing or retryable jobs${schema}, and ${nodes} is known to run one${elixir}.`,
    )
  }
  const unrunnable = queues.flatMap((q) => q.unrunnable.map((u) => ({queue: q.queue, ...u})))
  if (unrunnable.length > 0) blocks.push(formatUnrunnable(unrunnable, style))
  return blocks.join('\n\n')
}

/**
 * The NODES cell: `2 nodes · limit 15 · 3 running · 1 paused`, where the limit is the sum of
 * the nodes' limits (the queue's capacity), `(1 python)` says how many of the nodes are Python
 * Oban's, and `paused` appears only when a node paused it; `-` when no live oban-ts or Python
 * node runs the queue (an Elixir node may: they publish no queues).
 */
export function describeQueueNodes(nodes: QueueOverview['nodes'], colors: ChalkInstance): string {
  if (nodes.length === 0) return colors.dim('-')
  const limit = nodes.reduce((sum, n) => sum + (n.limit ?? 0), 0)
  const running = nodes.reduce((sum, n) => sum + n.running, 0)
  const paused = nodes.filter((n) => n.paused).length
  const python = nodes.filter((n) => n.runtime === 'python').length
  const parts = [
    `${plural(nodes.length, 'node')}${python > 0 ? ` (${count(python)} python)` : ''}`,
    `limit ${count(limit)}`,
    `${count(running)} running`,
  ]
  if (paused > 0) parts.push(colors.yellow(`${count(paused)} paused`))
  return parts.join(' · ')
}
