import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/** The states a queue overview counts: the jobs a queue still has to run, or is running. */
export const QUEUE_COUNT_STATES = ['available', 'scheduled', 'executing', 'retryable'] as const

export type QueueCountState = (typeof QUEUE_COUNT_STATES)[number]

/**
 * Jobs per queue and state, for the states of {@link QUEUE_COUNT_STATES} only: finished jobs
 * (completed, discarded, cancelled) are history and usually the bulk of the table, so they are
 * never read. Queues without such jobs are absent. Exact counts: the cost grows with the number
 * of unfinished jobs.
 */
export async function queueCounts(
  db: Queryable,
  prefix: string,
): Promise<{queue: string; state: QueueCountState; count: number}[]> {
  const {rows} = await db.query<{queue: string; state: QueueCountState; count: string}>(
    `SELECT queue, state, count(*) AS count FROM ${qualified(prefix, 'oban_jobs')}
      WHERE state IN ('available', 'scheduled', 'executing', 'retryable')
      GROUP BY queue, state`,
  )
  return rows.map((row) => ({queue: row.queue, state: row.state, count: Number(row.count)}))
}
