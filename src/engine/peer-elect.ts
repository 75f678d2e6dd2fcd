import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {goneCondition} from './peer-lock.js'

// The two statements of one leadership election, after Oban's `Oban.Peers.Database`. Run them in
// one transaction, in this order: delete the instance's expired lease, then claim or renew it.
// `name` is the instance name as stored in `oban_peers.name`; Oban stores `inspect(name)`, which
// for an Elixir module name such as `Oban` or `MyApp.Oban` is the bare name, so an Elixir instance
// and ours with the same name compete for the same row (they share leadership).

/**
 * Deletes the instance's lease if it has expired, whoever held it, so that the upsert that follows
 * can claim it. Returns the number of rows deleted (0 or 1).
 */
export async function deleteExpiredPeers(db: Queryable, prefix: string, name: string): Promise<number> {
  const result = await db.query({
    name: `oban_delete_expired_peers:${prefix}`,
    text: `DELETE FROM ${qualified(prefix, 'oban_peers')}
            WHERE name = $1 AND expires_at < timezone('UTC', now())`,
    values: [name],
  })
  return result.rowCount ?? 0
}

/**
 * Past Oban: deletes the instance's lease, unexpired or not, if `node` holds it and is an oban-ts
 * node that is provably gone (its presence row declares the lease lock and no session holds that
 * lock: see peer-lock.ts), so that the upsert that follows can claim it at once. The condition is
 * checked again here, in the statement that deletes. Returns whether the lease was deleted.
 */
export async function deleteGonePeer(db: Queryable, prefix: string, name: string, node: string): Promise<boolean> {
  const result = await db.query({
    name: `oban_ts_delete_gone_peer:${prefix}`,
    text: `DELETE FROM ${qualified(prefix, 'oban_peers')} AS p
            WHERE p.name = $1 AND p.node = $2 AND ${goneCondition(prefix, {name: '$1', scope: '$3'}, 'p.node')}`,
    values: [name, node, `${prefix}.${name}`],
  })
  return (result.rowCount ?? 0) > 0
}

/**
 * Claims the instance's lease for `node`, or renews it if `node` already holds it, for `leaseMs`
 * from now. Returns whether this node now leads (a row was inserted or updated).
 *
 * The `WHERE peers.node = EXCLUDED.node` on the conflict update is Oban 2.23.1's fix (issue
 * #1488): a node only ever extends its own row. Before it, a node that had lost the lease could
 * renew another node's row and both believed they led. A node whose own lease is still valid
 * reclaims it, even after it gave up leadership because an election failed.
 */
export async function upsertPeer(
  db: Queryable,
  prefix: string,
  peer: {name: string; node: string; leaseMs: number},
): Promise<boolean> {
  const result = await db.query({
    name: `oban_upsert_peer:${prefix}`,
    text: `INSERT INTO ${qualified(prefix, 'oban_peers')} AS peers (name, node, started_at, expires_at)
           VALUES ($1, $2, timezone('UTC', now()), timezone('UTC', now()) + make_interval(secs => $3::float8))
           ON CONFLICT (name) DO UPDATE SET expires_at = EXCLUDED.expires_at
            WHERE peers.node = EXCLUDED.node`,
    values: [peer.name, peer.node, peer.leaseMs / 1000],
  })
  return (result.rowCount ?? 0) > 0
}
