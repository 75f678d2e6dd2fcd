import type {Queryable} from '../db/pool.js'
import {queueCounts} from '../engine/queue-counts.js'
import {queueLatencies} from '../engine/queue-latency.js'

/**
 * One queue of `oban queue list`, from the jobs table: what it has to run and how long its oldest
 * runnable job has waited. A stable, documented `--json` shape (README, "Scripting"); per-node
 * state (limit, running, paused) will be added as further fields, keyed by this `queue`.
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
}

/**
 * Every queue that has available, scheduled, executing or retryable jobs, sorted by name. Two
 * statements: counts per queue and state, and the oldest available job per queue through the
 * fetch index (see queueLatencies).
 */
export async function queueOverview(db: Queryable, prefix: string): Promise<QueueOverview[]> {
  const [counts, latencies] = await Promise.all([queueCounts(db, prefix), queueLatencies(db, prefix)])
  const byQueue = new Map<string, QueueOverview>()
  const entry = (queue: string) => {
    let row = byQueue.get(queue)
    if (!row) {
      row = {queue, available: 0, scheduled: 0, executing: 0, retryable: 0, oldestAvailableAt: null, latencyMs: null}
      byQueue.set(queue, row)
    }
    return row
  }
  for (const {queue, state, count} of counts) entry(queue)[state] = count
  for (const {queue, oldestAvailableAt, latencyMs} of latencies)
    Object.assign(entry(queue), {oldestAvailableAt: oldestAvailableAt.toISOString(), latencyMs})
  return [...byQueue.values()].sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0))
}
