import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {goneCondition} from './peer-lock.js'
import {isMissingTable, PRESENCE_TABLE} from './presence-table.js'

/** What a follower needs to know about an instance's lease to decide when to hold an election. */
export interface LeaseStatus {
  /** The node in the lease row, expired or not; undefined when there is no row. */
  holder?: string
  /** Milliseconds until the lease expires, on the database's clock (0 or less: expired). */
  expiresInMs: number
  /** The holder is another oban-ts node that is provably gone (see peer-lock.ts). */
  gone: boolean
}

/**
 * Reads the instance's lease without taking it: who holds it, how long it has left, and whether
 * its holder is an oban-ts node that is provably gone. One read-only statement, so followers can
 * ask every couple of seconds (an election is a transaction and a row lock). Where no oban-ts
 * node ever wrote presence (no presence table), `gone` is false.
 */
export async function checkLease(
  db: Queryable,
  prefix: string,
  peer: {name: string; node: string},
): Promise<LeaseStatus> {
  try {
    return await check(db, prefix, peer, true)
  } catch (error) {
    if (isMissingTable(error) && String((error as Error).message).includes(PRESENCE_TABLE))
      return check(db, prefix, peer, false)
    throw error
  }
}

async function check(
  db: Queryable,
  prefix: string,
  peer: {name: string; node: string},
  presence: boolean,
): Promise<LeaseStatus> {
  const gone = presence ? `p.node <> $2 AND ${goneCondition(prefix, {name: '$1', scope: '$3'}, 'p.node')}` : 'FALSE'
  const {rows} = await db.query<{node: string; expires_in_ms: number; gone: boolean}>({
    name: `oban_ts_check_lease:${prefix}:${presence ? 'presence' : 'plain'}`,
    text: `SELECT p.node,
                  (extract(epoch FROM p.expires_at - timezone('UTC', now())) * 1000)::float8 AS expires_in_ms,
                  (${gone}) AS gone
             FROM ${qualified(prefix, 'oban_peers')} AS p
            WHERE p.name = $1`,
    values: presence ? [peer.name, peer.node, `${prefix}.${peer.name}`] : [peer.name],
  })
  const row = rows[0]
  if (!row) return {expiresInMs: 0, gone: false}
  return {holder: row.node, expiresInMs: row.expires_in_ms, gone: row.gone}
}
