import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'

/**
 * The nodes oban-ts nodes heard on `<prefix>.oban_sonar`, `<prefix>.oban_ts_sonar`: one row per
 * node name, with when it was first and last heard, so that a one-shot command (`oban status`,
 * `oban nodes`) can see Elixir nodes, which write no presence row. Ours, like the presence table:
 * not part of Oban's versioned migrations, created on demand by the first running node, UNLOGGED
 * (rewritten every few seconds, worthless after a crash). Timestamps are UTC from the database's
 * clock.
 *
 * `runtime` is `oban-ts` once an oban-ts node recorded its own ping under that name, and NULL
 * for every node only heard: a sonar ping (`{"node":...,"ping":true}`) does not say which runtime
 * sent it.
 */
export const SONAR_TABLE = 'oban_ts_sonar'

// Two nodes creating the table at once: see presence-table.ts.
const CREATE_RACE = new Set(['23505', '42P07', '42710'])

/** Creates the sonar table if it does not exist; safe when several nodes start at once. */
export async function createSonarTable(db: Queryable, prefix: string): Promise<void> {
  try {
    await db.query(
      `CREATE UNLOGGED TABLE IF NOT EXISTS ${qualified(prefix, SONAR_TABLE)} (
         node text PRIMARY KEY,
         runtime text,
         first_seen_at timestamp without time zone NOT NULL,
         seen_at timestamp without time zone NOT NULL
       )`,
    )
  } catch (error) {
    if (!CREATE_RACE.has(String((error as {code?: unknown}).code))) throw error
  }
}
