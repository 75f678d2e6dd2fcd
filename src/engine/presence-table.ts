import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/**
 * The presence table: one row per live oban-ts node, `<prefix>.oban_ts_nodes`. It is ours, not
 * Oban's: no Elixir node reads it, it is not part of Oban's versioned migrations (so `oban
 * migrate down` leaves it alone and the version comment on `oban_jobs` is untouched), and the
 * running instance creates it on demand. UNLOGGED because every row is rewritten every few
 * seconds and worthless after a crash (PostgreSQL empties unlogged tables on crash recovery,
 * which is exactly right for presence).
 *
 * Timestamps are UTC in `timestamp without time zone`, as Oban's, and always come from the
 * database's clock (`timezone('UTC', now())`), so nodes with skewed clocks still agree on who
 * has expired.
 */
export const PRESENCE_TABLE = 'oban_ts_nodes'

// undefined_table: read before any instance of this prefix has created the table.
const UNDEFINED_TABLE = '42P01'
// Two nodes creating the table at the same moment: `IF NOT EXISTS` is not atomic in PostgreSQL,
// and the loser fails on the catalog's unique index (23505), with duplicate_table (42P07) or on
// the table's row type (42710 duplicate_object). Unique checks wait for the winner to commit, so
// by then the table exists.
const CREATE_RACE = new Set(['23505', '42P07', '42710'])

/** Whether a query failed because the presence table does not exist (yet). */
export function isMissingTable(error: unknown): boolean {
  return (error as {code?: unknown} | undefined)?.code === UNDEFINED_TABLE
}

/**
 * Creates the presence table if it does not exist. Idempotent and safe when several nodes start
 * at once (the loser of a creation race finds the table there). The primary key (instance, node)
 * means one row per node name: two processes started with the same `--node` share a row.
 */
export async function createPresenceTable(db: Queryable, prefix: string): Promise<void> {
  try {
    await db.query(
      `CREATE UNLOGGED TABLE IF NOT EXISTS ${qualified(prefix, PRESENCE_TABLE)} (
         instance text NOT NULL,
         node text NOT NULL,
         pid integer NOT NULL,
         hostname text NOT NULL,
         started_at timestamp without time zone NOT NULL,
         seen_at timestamp without time zone NOT NULL,
         expires_at timestamp without time zone NOT NULL,
         plugins jsonb NOT NULL DEFAULT '[]',
         queues jsonb NOT NULL DEFAULT '[]',
         meta jsonb NOT NULL DEFAULT '{}',
         PRIMARY KEY (instance, node)
       )`,
    )
  } catch (error) {
    if (!CREATE_RACE.has(String((error as {code?: unknown}).code))) throw error
  }
}
