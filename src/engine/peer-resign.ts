import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/**
 * Gives up the instance's lease if `node` holds it (Oban's `delete_self`), so another node can be
 * elected at once instead of after the lease expires. Deleting nothing is not an error: the lease
 * may have expired and passed to someone else. Returns whether a row was deleted.
 */
export async function resignPeer(db: Queryable, prefix: string, name: string, node: string): Promise<boolean> {
  const result = await db.query({
    name: `oban_resign_peer:${prefix}`,
    text: `DELETE FROM ${qualified(prefix, 'oban_peers')} WHERE name = $1 AND node = $2`,
    values: [name, node],
  })
  return (result.rowCount ?? 0) > 0
}
