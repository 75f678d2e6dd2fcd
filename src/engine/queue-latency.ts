import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/** The oldest available job of a queue: since when it could run, and how long it has waited. */
export interface QueueLatency {
  queue: string
  /** `scheduled_at` of the queue's oldest available job: when it became runnable. */
  oldestAvailableAt: Date
  /** Milliseconds from then to the database's now (never negative). */
  latencyMs: number
}

/**
 * The oldest available job of every queue that has one. Oban's fetch index is
 * (state, queue, priority, scheduled_at, id), so "the earliest scheduled_at of a queue" is not one
 * index probe: the statement skips through the index from one (queue, priority) pair to the next
 * (a loose index scan) and takes the first entry of each pair. Its cost grows with the number of
 * queues and priorities in use, never with the number of jobs, so it stays cheap on a large table.
 */
export async function queueLatencies(db: Queryable, prefix: string): Promise<QueueLatency[]> {
  const jobs = qualified(prefix, 'oban_jobs')
  const {rows} = await db.query<{queue: string; oldest: Date; latency_ms: string}>(
    `WITH RECURSIVE pairs AS (
       (SELECT queue, priority FROM ${jobs} WHERE state = 'available' ORDER BY queue, priority LIMIT 1)
       UNION ALL
       SELECT next.queue, next.priority FROM pairs CROSS JOIN LATERAL (
         SELECT queue, priority FROM ${jobs}
          WHERE state = 'available' AND (queue, priority) > (pairs.queue, pairs.priority)
          ORDER BY queue, priority LIMIT 1
       ) AS next
     )
     SELECT pairs.queue, min(first.scheduled_at) AS oldest,
            greatest(0, floor(extract(epoch FROM timezone('UTC', now()) - min(first.scheduled_at)) * 1000))::bigint AS latency_ms
       FROM pairs CROSS JOIN LATERAL (
         SELECT scheduled_at FROM ${jobs}
          WHERE state = 'available' AND queue = pairs.queue AND priority = pairs.priority
          ORDER BY scheduled_at LIMIT 1
       ) AS first
      GROUP BY pairs.queue
      ORDER BY pairs.queue`,
  )
  return rows.map((row) => ({queue: row.queue, oldestAvailableAt: row.oldest, latencyMs: Number(row.latency_ms)}))
}
