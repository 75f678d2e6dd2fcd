import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {PRESENCE_TABLE} from './presence-table.js'

// Past Oban: the proof that the oban-ts node holding an instance's lease is gone. While an oban-ts
// node leads, it holds a session-level advisory lock on the connection its elections run on, keyed
// by (prefix and instance, node); its presence row says so (`meta.leaseLock`). PostgreSQL releases
// the lock when that backend ends, which it does as soon as the process dies (its socket closes),
// so "its presence row declares the lock, and no session holds the lock" proves that the leader's
// connection is gone: its lease can be taken over at once instead of after it expires. An Elixir
// node has no presence row and takes no lock: its lease is never broken, only replaced once
// expired, as Oban does. A frozen process (SIGSTOP) keeps its socket and its lock: it is not gone.

/** The presence meta flag of a node whose Peer holds the lease lock while it leads. */
export const LEASE_LOCK_FLAG = 'leaseLock'

/** The lock's two int4 keys, from bound text parameters (`prefix.instance`, node). */
function lockKeys(scope: string, node: string): [string, string] {
  return [`hashtext('oban-ts lease ' || ${scope})`, `hashtext(${node})`]
}

/**
 * Takes the lease lock of `node` for the instance on this session, if no session holds it
 * (`pg_try_advisory_lock`, never waiting). Run it on the connection the node's elections use, and
 * once per connection: each success is counted, and the lock lasts until the session ends.
 */
export async function lockLease(db: Queryable, prefix: string, name: string, node: string): Promise<boolean> {
  const [k1, k2] = lockKeys('$1', '$2')
  const {rows} = await db.query<{locked: boolean}>({
    name: 'oban_ts_lock_lease',
    text: `SELECT pg_try_advisory_lock(${k1}, ${k2}) AS locked`,
    values: [`${prefix}.${name}`, node],
  })
  return rows[0]?.locked === true
}

/**
 * The SQL condition "the oban-ts node `node` (an SQL expression) of instance `$name` is provably
 * gone": its presence row (live or lapsed, not yet pruned) declares the lease lock, and no session
 * of the database holds it. `name` and `scope` are placeholders of the caller's statement, bound
 * to the instance name and to `prefix.instance`.
 */
export function goneCondition(prefix: string, params: {name: string; scope: string}, node: string): string {
  const [k1, k2] = lockKeys(params.scope, node)
  return `(EXISTS (
            SELECT 1 FROM ${qualified(prefix, PRESENCE_TABLE)} AS n
             WHERE n.instance = ${params.name} AND n.node = ${node}
               AND n.meta @> '{"${LEASE_LOCK_FLAG}": true}'::jsonb
          ) AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_locks AS l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
               AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
               AND l.classid = (${k1})::oid AND l.objid = (${k2})::oid
          ))`
}
