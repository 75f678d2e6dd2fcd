import type {Queryable} from '../db/pool.js'
import type {PeerLease} from './peer-leader.js'
import {qualified} from '../db/names.js'

/** An instance's leadership lease: `oban_peers.name` is the instance name (Elixir's `inspect(name)`). */
export interface InstanceLease extends PeerLease {
  instance: string
}

/**
 * The live leases of every instance on a prefix (or of one, `instance`), ordered by instance.
 * Elixir nodes write this table too, so it names instances and leaders that have no presence
 * row. As `currentLeader`, it counts an expired lease (a leader gone and not replaced yet) as
 * no leader.
 */
export async function listLeases(db: Queryable, prefix: string, instance?: string): Promise<InstanceLease[]> {
  const {rows} = await db.query<{name: string; node: string; started_at: Date; expires_at: Date}>({
    name: `oban_ts_list_leases:${prefix}`,
    text: `SELECT name, node, started_at, expires_at FROM ${qualified(prefix, 'oban_peers')}
            WHERE expires_at >= timezone('UTC', now()) AND ($1::text IS NULL OR name = $1)
            ORDER BY name`,
    values: [instance ?? null],
  })
  return rows.map((row) => ({instance: row.name, node: row.node, startedAt: row.started_at, expiresAt: row.expires_at}))
}
