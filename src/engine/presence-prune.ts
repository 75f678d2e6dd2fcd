import type {Queryable} from '../db/pool.js'
import {PRESENCE_TABLE} from './presence-table.js'
import {qualified} from '../db/names.js'

/**
 * Deletes rows that expired more than `graceMs` ago, of any instance in the prefix: nodes that
 * died without a graceful stop (SIGKILL, a crash, a lost machine). Readers already ignore expired
 * rows; this only keeps the table small. Returns the number of rows deleted.
 */
export async function pruneExpiredPresence(db: Queryable, prefix: string, graceMs: number): Promise<number> {
  const result = await db.query({
    name: `oban_ts_prune_presence:${prefix}`,
    text: `DELETE FROM ${qualified(prefix, PRESENCE_TABLE)}
            WHERE expires_at < timezone('UTC', now()) - make_interval(secs => $1::float8)`,
    values: [graceMs / 1000],
  })
  return result.rowCount ?? 0
}
