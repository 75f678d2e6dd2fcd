import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {SONAR_TABLE} from './sonar-table.js'

/** Deletes nodes not heard for `olderThanMs`: readers ignore them long before. Returns the count. */
export async function pruneSonarNodes(db: Queryable, prefix: string, olderThanMs: number): Promise<number> {
  const result = await db.query({
    name: `oban_ts_prune_sonar:${prefix}`,
    text: `DELETE FROM ${qualified(prefix, SONAR_TABLE)}
            WHERE seen_at < timezone('UTC', now()) - make_interval(secs => $1::float8)`,
    values: [olderThanMs / 1000],
  })
  return result.rowCount ?? 0
}
