import type {Queryable} from '../db/pool.js'
import {PRESENCE_TABLE} from './presence-table.js'
import {qualified} from '../db/names.js'

/** What one node writes about itself (see `NodePresence` in src/cluster/presence.ts for the JSON shapes). */
export interface PresenceRow {
  instance: string
  node: string
  pid: number
  hostname: string
  startedAt: Date
  /** How long the row stays live without a refresh (ms). */
  ttlMs: number
  plugins: unknown[]
  queues: unknown[]
  meta: Record<string, unknown>
}

/** A live row of the same (instance, node) written by another process, found by the upsert. */
export interface PresenceConflict {
  pid: number
  hostname: string
}

/**
 * Writes the node's row (insert, or update of every column), with `seen_at` now and `expires_at`
 * `ttlMs` from now on the database's clock. Returns the previous writer when the row was live and
 * belonged to another process (pid or hostname differ): two processes run with one node name.
 * The CTE reads the row as it was before this statement, so the check costs no extra round trip.
 */
export async function upsertPresence(
  db: Queryable,
  prefix: string,
  row: PresenceRow,
): Promise<PresenceConflict | undefined> {
  const table = qualified(prefix, PRESENCE_TABLE)
  const {rows} = await db.query<{old_pid: number | null; old_hostname: string | null}>({
    name: `oban_ts_upsert_presence:${prefix}`,
    text: `WITH previous AS (
             SELECT pid, hostname FROM ${table}
              WHERE instance = $1 AND node = $2 AND expires_at > timezone('UTC', now())
           )
           INSERT INTO ${table} AS t
                  (instance, node, pid, hostname, started_at, seen_at, expires_at, plugins, queues, meta)
           VALUES ($1, $2, $3, $4, $5::timestamptz AT TIME ZONE 'UTC', timezone('UTC', now()),
                   timezone('UTC', now()) + make_interval(secs => $6::float8), $7, $8, $9)
           ON CONFLICT (instance, node) DO UPDATE
              SET pid = EXCLUDED.pid, hostname = EXCLUDED.hostname, started_at = EXCLUDED.started_at,
                  seen_at = EXCLUDED.seen_at, expires_at = EXCLUDED.expires_at, plugins = EXCLUDED.plugins,
                  queues = EXCLUDED.queues, meta = EXCLUDED.meta
           RETURNING (SELECT pid FROM previous) AS old_pid, (SELECT hostname FROM previous) AS old_hostname`,
    values: [
      row.instance,
      row.node,
      row.pid,
      row.hostname,
      row.startedAt.toISOString(),
      row.ttlMs / 1000,
      JSON.stringify(row.plugins),
      JSON.stringify(row.queues),
      JSON.stringify(row.meta),
    ],
  })
  const previous = rows[0]
  if (!previous || previous.old_pid === null || previous.old_hostname === null) return undefined
  if (previous.old_pid === row.pid && previous.old_hostname === row.hostname) return undefined
  return {pid: previous.old_pid, hostname: previous.old_hostname}
}
