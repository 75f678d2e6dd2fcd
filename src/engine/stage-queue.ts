import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/**
 * Makes a queue's scheduled and retryable jobs available now: all of them, or those scheduled
 * at or before `until` (Oban's `drain_queue(with_scheduled: ...)`). Returns how many moved.
 */
export async function stageQueue(db: Queryable, prefix: string, queue: string, until: Date | null): Promise<number> {
  const {rowCount} = await db.query(
    `UPDATE ${qualified(prefix, 'oban_jobs')} SET state = 'available'
      WHERE queue = $1 AND state IN ('scheduled', 'retryable') AND ($2::timestamp IS NULL OR scheduled_at <= $2)`,
    [queue, until ? until.toISOString().replace('Z', '') : null],
  )
  return rowCount ?? 0
}
