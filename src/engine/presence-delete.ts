import type {Queryable} from '../db/pool.js'
import {PRESENCE_TABLE} from './presence-table.js'
import {qualified} from '../db/names.js'

/**
 * Deletes a node's row on graceful stop, only if this process still owns it (a restarted process
 * with the same node name may already have taken the row over). Returns whether a row was deleted.
 */
export async function deletePresence(
  db: Queryable,
  prefix: string,
  owner: {instance: string; node: string; pid: number; hostname: string},
): Promise<boolean> {
  const result = await db.query({
    name: `oban_ts_delete_presence:${prefix}`,
    text: `DELETE FROM ${qualified(prefix, PRESENCE_TABLE)}
            WHERE instance = $1 AND node = $2 AND pid = $3 AND hostname = $4`,
    values: [owner.instance, owner.node, owner.pid, owner.hostname],
  })
  return (result.rowCount ?? 0) > 0
}
