import type {ChalkInstance} from 'chalk'
import type {QueueOverview} from '../operator/queue-overview.js'
import {plural} from '../util/plural.js'
import {shortDuration} from './format-time.js'
import {renderTable} from './text-table.js'

/** `1,234`: counts are easier to compare with separators. */
const count = (n: number) => n.toLocaleString('en-US')

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
 * `oban queue list`'s output: the queue table, or one line saying that no queue has unfinished
 * jobs in the schema and that no node (of the instance asked for) runs one.
 */
export function formatQueueList(
  queues: readonly QueueOverview[],
  asked: {prefix: string; instance?: string},
  style: {tty: boolean; colors: ChalkInstance; width?: number},
): string {
  if (queues.length > 0) return formatQueues(queues, style)
  const schema = asked.prefix === 'public' ? '' : ` in schema ${asked.prefix}`
  const nodes = asked.instance === undefined ? 'no oban-ts node' : `no node of instance ${asked.instance}`
  return `No queue has available, scheduled, executing or retryable jobs${schema}, and ${nodes} runs one.`
}

/**
 * The NODES cell: `2 nodes · limit 15 · 3 running · 1 paused`, where the limit is the sum of
 * the nodes' limits (the queue's capacity) and `paused` appears only when a node paused it; `-`
 * when no live oban-ts node runs the queue (an Elixir or Python node may).
 */
export function describeQueueNodes(nodes: QueueOverview['nodes'], colors: ChalkInstance): string {
  if (nodes.length === 0) return colors.dim('-')
  const limit = nodes.reduce((sum, n) => sum + n.limit, 0)
  const running = nodes.reduce((sum, n) => sum + n.running, 0)
  const paused = nodes.filter((n) => n.paused).length
  const parts = [plural(nodes.length, 'node'), `limit ${count(limit)}`, `${count(running)} running`]
  if (paused > 0) parts.push(colors.yellow(`${count(paused)} paused`))
  return parts.join(' · ')
}
