import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {isMissingTable} from './presence-table.js'
import {SONAR_TABLE} from './sonar-table.js'

/** A node heard on the sonar channel recently. */
export interface SonarNode {
  node: string
  /** `oban-ts` when an oban-ts node recorded its own ping under this name, else null (unknown). */
  runtime: 'oban-ts' | null
  firstSeenAt: Date
  seenAt: Date
}

/**
 * Oban forgets a node it has not heard for 120 s (`Oban.Sonar`'s stale_timeout); so do we. A node
 * pings every 5 to 60 s while it runs.
 */
export const SONAR_STALE_MS = 120_000

/**
 * The nodes heard within `withinMs` (default {@link SONAR_STALE_MS}) on the database's clock,
 * ordered by name. A missing table means no oban-ts node ever listened on this prefix: empty.
 */
export async function listSonarNodes(db: Queryable, prefix: string, withinMs = SONAR_STALE_MS): Promise<SonarNode[]> {
  try {
    const {rows} = await db.query<{node: string; runtime: string | null; first_seen_at: Date; seen_at: Date}>({
      name: `oban_ts_list_sonar:${prefix}`,
      text: `SELECT node, runtime, first_seen_at, seen_at FROM ${qualified(prefix, SONAR_TABLE)}
              WHERE seen_at > timezone('UTC', now()) - make_interval(secs => $1::float8)
              ORDER BY node`,
      values: [withinMs / 1000],
    })
    return rows.map((row) => ({
      node: row.node,
      runtime: row.runtime === 'oban-ts' ? 'oban-ts' : null,
      firstSeenAt: row.first_seen_at,
      seenAt: row.seen_at,
    }))
  } catch (error) {
    if (isMissingTable(error)) return []
    throw error
  }
}
