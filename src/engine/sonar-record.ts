import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {SONAR_TABLE} from './sonar-table.js'

/** A node heard on the sonar channel, `agoMs` before the write. */
export interface HeardPing {
  node: string
  agoMs: number
  /** Set only by a node for its own pings. */
  runtime?: 'oban-ts'
}

/**
 * Records pings heard by this node in one statement: a new node gets a row, a known one a later
 * `seen_at` (never an earlier one: every oban-ts node writes what it heard, in any order) and
 * keeps a runtime once one was written.
 */
export async function recordSonarPings(db: Queryable, prefix: string, pings: readonly HeardPing[]): Promise<void> {
  if (pings.length === 0) return
  const table = qualified(prefix, SONAR_TABLE)
  await db.query({
    name: `oban_ts_record_sonar:${prefix}`,
    text: `INSERT INTO ${table} AS t (node, runtime, first_seen_at, seen_at)
           SELECT p.node, p.runtime, p.seen_at, p.seen_at
             FROM (SELECT u.node, u.runtime,
                          timezone('UTC', now()) - make_interval(secs => u.ago / 1000.0) AS seen_at
                     FROM unnest($1::text[], $2::text[], $3::float8[]) AS u(node, runtime, ago)) AS p
           ON CONFLICT (node) DO UPDATE
              SET seen_at = GREATEST(t.seen_at, EXCLUDED.seen_at),
                  runtime = COALESCE(t.runtime, EXCLUDED.runtime)`,
    values: [pings.map((p) => p.node), pings.map((p) => p.runtime ?? null), pings.map((p) => Math.max(0, p.agoMs))],
  })
}
