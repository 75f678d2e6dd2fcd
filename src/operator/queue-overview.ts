import {listNodes} from '../control/nodes.js'
import type {Queryable} from '../db/pool.js'
import {queueCounts} from '../engine/queue-counts.js'
import {queueLatencies} from '../engine/queue-latency.js'

/**
 * One queue of `oban queue list`: what it has to run and how long its oldest runnable job has
 * waited (from the jobs table, every client's jobs), and the live oban-ts nodes that run it (from
 * the presence table). A stable, documented `--json` shape (README, "Scripting"): fields may be
 * added, never renamed or removed.
 */
export interface QueueOverview {
  queue: string
  available: number
  scheduled: number
  executing: number
  retryable: number
  /** When the oldest available job became runnable (its scheduled_at, ISO-8601), or null. */
  oldestAvailableAt: string | null
  /** How long that job has waited, in milliseconds (the queue's latency), or null. */
  latencyMs: number | null
  /**
   * The live oban-ts nodes running this queue, by instance and node name; Elixir and Python nodes
   * write no presence row and never appear. `running` is as of the node's last presence write.
   */
  nodes: QueueNode[]
}

/** A queue as one node runs it. */
export interface QueueNode {
  instance: string
  node: string
  limit: number
  running: number
  paused: boolean
}

export interface QueueOverviewOptions {
  /** Only this instance's nodes in `nodes` (and only its queues among those without jobs). */
  instance?: string
}

/**
 * Every queue that has available, scheduled, executing or retryable jobs or runs on a live
 * oban-ts node, sorted by name. Three statements, side by side: counts per queue and state, the
 * oldest available job per queue through the fetch index (see queueLatencies), and the presence
 * rows.
 */
export async function queueOverview(
  db: Queryable,
  prefix: string,
  options: QueueOverviewOptions = {},
): Promise<QueueOverview[]> {
  const [counts, latencies, nodes] = await Promise.all([
    queueCounts(db, prefix),
    queueLatencies(db, prefix),
    listNodes(db, {prefix, instance: options.instance}),
  ])
  const byQueue = new Map<string, QueueOverview>()
  const entry = (queue: string) => {
    let row = byQueue.get(queue)
    if (!row) {
      row = {
        queue,
        available: 0,
        scheduled: 0,
        executing: 0,
        retryable: 0,
        oldestAvailableAt: null,
        latencyMs: null,
        nodes: [],
      }
      byQueue.set(queue, row)
    }
    return row
  }
  for (const {queue, state, count} of counts) entry(queue)[state] = count
  for (const {queue, oldestAvailableAt, latencyMs} of latencies)
    Object.assign(entry(queue), {oldestAvailableAt: oldestAvailableAt.toISOString(), latencyMs})
  // listNodes orders by instance and node, and so does each queue's list.
  for (const node of nodes)
    for (const {queue, limit, running, paused} of node.queues)
      entry(queue).nodes.push({instance: node.instance, node: node.node, limit, running, paused})
  return [...byQueue.values()].sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0))
}
