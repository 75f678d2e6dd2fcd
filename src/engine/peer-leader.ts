import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/** The holder of an instance's leadership lease. */
export interface PeerLease {
  node: string
  startedAt: Date
  expiresAt: Date
}

/**
 * The node holding the instance's lease, or undefined when nobody does. Unlike Oban's
 * `get_leader`, an expired row (a leader that vanished and has not been replaced yet) counts as no
 * leader: the row is only deleted at the next election.
 */
export async function currentLeader(db: Queryable, prefix: string, name: string): Promise<PeerLease | undefined> {
  const {rows} = await db.query<{node: string; started_at: Date; expires_at: Date}>({
    name: `oban_current_leader:${prefix}`,
    text: `SELECT node, started_at, expires_at FROM ${qualified(prefix, 'oban_peers')}
            WHERE name = $1 AND expires_at >= timezone('UTC', now())`,
    values: [name],
  })
  const row = rows[0]
  return row && {node: row.node, startedAt: row.started_at, expiresAt: row.expires_at}
}
