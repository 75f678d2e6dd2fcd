import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {isMissingTable} from './presence-table.js'

/**
 * A Python Oban leader, from `oban_leaders` (Python Oban's own table: name, node, elected_at,
 * expires_at). Python Oban elects there, not in `oban_peers`, so its leader and an oban-ts or
 * Elixir leader can hold office at once.
 */
export interface PythonLeader {
  /** The Python instance name (`Oban(name=...)`, "Oban" by default). */
  instance: string
  node: string
  electedAt: Date
  expiresAt: Date
}

/**
 * The live rows of `oban_leaders` (not yet expired on the database's clock), ordered by instance.
 * A missing table (no Python node ever ran its installer here) means none: empty, not an error.
 */
export async function listPythonLeaders(db: Queryable, prefix: string): Promise<PythonLeader[]> {
  try {
    const {rows} = await db.query<{name: string; node: string; elected_at: Date; expires_at: Date}>({
      name: `oban_ts_list_python_leaders:${prefix}`,
      text: `SELECT name, node, elected_at, expires_at FROM ${qualified(prefix, 'oban_leaders')}
              WHERE expires_at > timezone('UTC', now())
              ORDER BY name`,
      values: [],
    })
    return rows.map((row) => ({
      instance: row.name,
      node: row.node,
      electedAt: row.elected_at,
      expiresAt: row.expires_at,
    }))
  } catch (error) {
    if (isMissingTable(error)) return []
    throw error
  }
}
