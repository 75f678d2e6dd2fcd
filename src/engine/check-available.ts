import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/**
 * The queues that have available jobs, sorted (Oban's `check_available`). The leader's stager
 * publishes one insert notification per queue, so that producers on every node fetch, including
 * for jobs they were never told about.
 */
export async function checkAvailable(db: Queryable, prefix: string): Promise<string[]> {
  const {rows} = await db.query<{queue: string}>({
    name: `oban_check_available:${prefix}`,
    text: `SELECT DISTINCT queue FROM ${qualified(prefix, 'oban_jobs')} WHERE state = 'available' ORDER BY queue`,
    values: [],
  })
  return rows.map((row) => row.queue)
}
