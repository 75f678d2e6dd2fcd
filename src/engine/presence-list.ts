import type {Queryable} from '../db/pool.js'
import {isMissingTable, PRESENCE_TABLE} from './presence-table.js'
import {qualified} from '../db/names.js'

/** One live row of the presence table, as stored (the JSON columns unchecked). */
export interface PresenceRecord {
  instance: string
  node: string
  pid: number
  hostname: string
  startedAt: Date
  seenAt: Date
  expiresAt: Date
  plugins: unknown
  queues: unknown
  meta: unknown
}

/**
 * The live nodes (rows not yet expired on the database's clock) of one instance, or of every
 * instance when `instance` is undefined, ordered by instance and node. A missing table means no
 * oban-ts node ever ran on this prefix: the result is empty, not an error.
 */
export async function listPresence(db: Queryable, prefix: string, instance?: string): Promise<PresenceRecord[]> {
  try {
    const {rows} = await db.query<{
      instance: string
      node: string
      pid: number
      hostname: string
      started_at: Date
      seen_at: Date
      expires_at: Date
      plugins: unknown
      queues: unknown
      meta: unknown
    }>({
      name: `oban_ts_list_presence:${prefix}`,
      text: `SELECT instance, node, pid, hostname, started_at, seen_at, expires_at, plugins, queues, meta
               FROM ${qualified(prefix, PRESENCE_TABLE)}
              WHERE expires_at > timezone('UTC', now()) AND ($1::text IS NULL OR instance = $1)
              ORDER BY instance, node`,
      values: [instance ?? null],
    })
    return rows.map((row) => ({
      instance: row.instance,
      node: row.node,
      pid: row.pid,
      hostname: row.hostname,
      startedAt: row.started_at,
      seenAt: row.seen_at,
      expiresAt: row.expires_at,
      plugins: row.plugins,
      queues: row.queues,
      meta: row.meta,
    }))
  } catch (error) {
    if (isMissingTable(error)) return []
    throw error
  }
}
