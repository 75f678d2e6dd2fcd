import type {ChalkInstance} from 'chalk'
import type {QueueOverview} from '../../operator/queue-overview.js'
import type {Throughput, ThroughputSample} from '../../operator/throughput.js'
import {shortDuration} from '../format-time.js'
import {sparkline} from './sparkline.js'
import {cell, fitColumns, num, scrollWindow, tableLine, type Column} from './text.js'

export interface ViewFrame {
  width: number
  height: number
  colors: ChalkInstance
}

/** `paused` when every node running the queue paused it, `partly` when some did, `` otherwise. */
export function pausedState(queue: QueueOverview): string {
  const paused = queue.nodes.filter((n) => n.paused).length
  if (paused === 0) return ''
  return paused === queue.nodes.length ? 'paused' : 'partly'
}

const series = (history: readonly ThroughputSample[], pick: (t: Throughput) => number, queue?: string) =>
  history.map((s) =>
    pick(queue === undefined ? s.total : (s.byQueue.get(queue) ?? {completed: 0, failed: 0, cancelled: 0})),
  )

/**
 * The throughput block: one line per outcome (completed, failed, cancelled), each a sparkline
 * over the kept intervals and the last interval's count. Compact (under 100 columns): one line.
 */
export function throughputLines(history: readonly ThroughputSample[], frame: ViewFrame, intervalMs: number): string[] {
  const {width, colors} = frame
  const last = history.at(-1)?.total
  const span = history.length === 0 ? '' : ` over ${shortDuration(history.length * intervalMs)}`
  const title = `Throughput per ${shortDuration(intervalMs)}${span}`
  if (history.length === 0) return [cell(`${title}: measuring…`, width)]
  const kinds: [string, (t: Throughput) => number, (s: string) => string][] = [
    ['completed', (t) => t.completed, colors.green],
    ['failed', (t) => t.failed, colors.red],
    ['cancelled', (t) => t.cancelled, colors.gray],
  ]
  if (width < 100) {
    const each = Math.max(4, Math.floor((width - 3 * 16) / 3))
    const parts = kinds.map(
      ([name, pick, paint]) =>
        `${name.slice(0, 4)} ${paint(sparkline(series(history, pick), each))} ${num(pick(last!))}`,
    )
    return [cell(`${parts.join('  ')}`, width)]
  }
  const graph = Math.max(10, width - 30)
  return [
    cell(title, width),
    ...kinds.map(([name, pick, paint]) =>
      cell(
        `  ${name.padEnd(10)}${paint(sparkline(series(history, pick), graph))} ${num(pick(last!)).padStart(7)}`,
        width,
      ),
    ),
  ]
}

export interface QueuesViewProps {
  queues: readonly QueueOverview[]
  history: readonly ThroughputSample[]
  intervalMs: number
  selected: number
}

/**
 * The Queues tab: the throughput block, then one row per queue: its counts by state, latency,
 * running/limit summed over its nodes (and, when wide, per node), paused, and its own sparkline
 * of completed jobs. The rows scroll by pages.
 */
export function queuesView(props: QueuesViewProps, frame: ViewFrame): string[] {
  const {width, height, colors} = frame
  const top = throughputLines(props.history, frame, props.intervalMs)
  const wide = width >= 120
  const columns: Column<QueueOverview>[] = [
    {title: 'queue', width: wide ? 20 : 14, value: (q) => q.queue},
    {title: 'avail', width: 7, align: 'right', value: (q) => num(q.available)},
    {title: 'exec', width: 6, align: 'right', value: (q) => num(q.executing)},
    {title: 'sched', width: 6, align: 'right', value: (q) => num(q.scheduled), drop: 3},
    {title: 'retry', width: 6, align: 'right', value: (q) => num(q.retryable), drop: 2},
    {
      title: 'latency',
      width: 7,
      align: 'right',
      value: (q) => (q.latencyMs === null ? '-' : shortDuration(q.latencyMs)),
    },
    {
      title: 'run/lim',
      width: 8,
      align: 'right',
      value: (q) =>
        q.nodes.length === 0
          ? '-'
          : `${sum(q.nodes.map((n) => n.running ?? 0))}/${sum(q.nodes.map((n) => n.limit ?? 0))}`,
    },
    {title: 'nodes', width: 5, align: 'right', value: (q) => String(q.nodes.length), drop: 4},
    {title: 'state', width: 6, value: (q) => paintPaused(pausedState(q), colors)},
  ]
  if (wide) {
    columns.push({
      title: 'per node (running/limit)',
      width: 40,
      value: (q) => q.nodes.map((n) => `${n.node} ${n.running}/${n.limit}${n.paused ? ' ⏸' : ''}`).join(', '),
      drop: 5,
    })
  }
  columns.push({
    title: 'completed',
    width: 'flex',
    value: (q, room) =>
      colors.green(
        sparkline(
          series(props.history, (t) => t.completed, q.queue),
          room,
        ),
      ),
    drop: 1,
  })
  const fitted = fitColumns(columns, width - 2)
  const head = `  ${tableLine(fitted, undefined, width - 2)}`
  const room = Math.max(1, height - top.length - 2)
  if (props.queues.length === 0)
    return [...top, '', cell('No queue: no job waits or runs, and no node runs a queue.', width)]
  const offset = scrollWindow(props.queues.length, room, props.selected)
  const rows = props.queues.slice(offset, offset + room).map((q, i) => {
    const chosen = offset + i === props.selected
    const line = `${chosen ? '>' : ' '} ${tableLine(fitted, q, width - 2)}`
    return chosen ? colors.inverse(line) : line
  })
  return [...top, colors.bold(cell(head, width)), ...rows]
}

function paintPaused(state: string, colors: ChalkInstance): string {
  return state === '' ? '' : colors.yellow(state)
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
