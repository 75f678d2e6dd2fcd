import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import type {JobState} from '../job/job.js'
import {queueCounts} from '../engine/queue-counts.js'
import {queueLatencies} from '../engine/queue-latency.js'
import {findUnrunnableJobs} from '../engine/unrunnable-jobs.js'
import {describeCluster, readClusterRows, type ClusterNode} from './cluster-nodes.js'

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
   * The live nodes known to run this queue, by instance and node name: oban-ts nodes (`running`
   * as of the node's last presence write) and Python nodes (from `oban_producers`, `running`
   * counted from `oban_jobs`). Elixir nodes publish no queues and never appear here (see
   * {@link QueueListing.opaqueNodes}).
   */
  nodes: QueueNode[]
  /**
   * Jobs of this queue that can never run (waiting with no attempt left), per state, with their
   * lowest ids; empty when there are none. `oban job retry ID...` gives them an attempt.
   */
  unrunnable: {state: JobState; count: number; ids: JobId[]}[]
}

/** A queue as one node runs it. */
export interface QueueNode {
  instance: string
  node: string
  runtime: 'oban-ts' | 'python'
  /** Null when a Python producer's row has no `local_limit`. */
  limit: number | null
  running: number
  paused: boolean
}

/** `oban queue list`'s whole reading: the queues, and the live nodes whose queues cannot be known. */
export interface QueueListing {
  queues: QueueOverview[]
  /** Live Elixir nodes (of `instance`, or of unknown instance): they may run any queue. */
  opaqueNodes: ClusterNode[]
}

export interface QueueOverviewOptions {
  /** Only this instance's nodes in `nodes` (and only its queues among those without jobs). */
  instance?: string
}

/**
 * Every queue that has available, scheduled, executing or retryable jobs or runs on a live
 * oban-ts or Python node, sorted by name. See {@link queueListing}.
 */
export async function queueOverview(
  db: Queryable,
  prefix: string,
  options: QueueOverviewOptions = {},
): Promise<QueueOverview[]> {
  return (await queueListing(db, prefix, options)).queues
}

/**
 * The queues (see {@link queueOverview}) and the nodes whose queues are unknown. Read side by
 * side: counts per queue and state, the oldest available job per queue through the fetch index
 * (see queueLatencies), the jobs that can never run, and every runtime's nodes (cluster-nodes.ts).
 */
export async function queueListing(
  db: Queryable,
  prefix: string,
  options: QueueOverviewOptions = {},
): Promise<QueueListing> {
  const [counts, latencies, unrunnable, rows] = await Promise.all([
    queueCounts(db, prefix),
    queueLatencies(db, prefix),
    findUnrunnableJobs(db, prefix),
    readClusterRows(db, prefix),
  ])
  const cluster = describeCluster(rows).nodes.filter(
    (n) => options.instance === undefined || n.instance === options.instance || n.instance === null,
  )
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
        unrunnable: [],
      }
      byQueue.set(queue, row)
    }
    return row
  }
  for (const {queue, state, count} of counts) entry(queue)[state] = count
  for (const {queue, oldestAvailableAt, latencyMs} of latencies)
    Object.assign(entry(queue), {oldestAvailableAt: oldestAvailableAt.toISOString(), latencyMs})
  for (const {queue, state, count, ids} of unrunnable) entry(queue).unrunnable.push({state, count, ids})
  // The cluster's nodes are ordered by instance and node, and so is each queue's list.
  for (const node of cluster) {
    if (node.instance === null || node.queues === null || node.runtime === 'elixir') continue
    for (const {queue, limit, running, paused} of node.queues)
      entry(queue).nodes.push({
        instance: node.instance,
        node: node.node,
        runtime: node.runtime,
        limit,
        running: running ?? 0,
        paused,
      })
  }
  return {
    queues: [...byQueue.values()].sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0)),
    opaqueNodes: cluster.filter((n) => n.queues === null),
  }
}
