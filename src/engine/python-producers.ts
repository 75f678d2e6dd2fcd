import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {isMissingTable} from './presence-table.js'

/**
 * One queue of a Python Oban node, from `oban_producers` (Python Oban's own table, created by its
 * installer: uuid, name, node, queue, meta, started_at, updated_at). Each running Python queue
 * writes a row at start, refreshes `updated_at` every 15 s and deletes it on a graceful stop; its
 * leader deletes rows older than 60 s. `meta` holds `local_limit` and `paused`.
 */
export interface PythonProducer {
  uuid: string
  /** The Python instance name (`Oban(name=...)`, "Oban" by default). */
  instance: string
  node: string
  queue: string
  /** `meta.local_limit`, or null when the row has none (an extension may set another limit). */
  limit: number | null
  paused: boolean
  /**
   * Jobs executing in this queue under this producer: Python Oban fetches with `attempted_by =
   * [node, producer uuid]`, so this count, from `oban_jobs`, is exact for a live producer.
   */
  running: number
  startedAt: Date
  updatedAt: Date
}

/** Python Oban's Refresher deletes producers older than this (its `max_age` default, 60 s). */
export const PYTHON_PRODUCER_MAX_AGE_MS = 60_000

/**
 * The live producers of Python Oban nodes (refreshed within `maxAgeMs`, default 60 s, on the
 * database's clock), ordered by instance, node and queue. A missing `oban_producers` table (no
 * Python node ever ran its installer here) means none: empty, not an error.
 */
export async function listPythonProducers(
  db: Queryable,
  prefix: string,
  maxAgeMs = PYTHON_PRODUCER_MAX_AGE_MS,
): Promise<PythonProducer[]> {
  const producers = qualified(prefix, 'oban_producers')
  const jobs = qualified(prefix, 'oban_jobs')
  try {
    const {rows} = await db.query<{
      uuid: string
      name: string
      node: string
      queue: string
      meta: unknown
      running: number
      started_at: Date
      updated_at: Date
    }>({
      name: `oban_ts_list_python_producers:${prefix}`,
      text: `SELECT p.uuid::text AS uuid, p.name, p.node, p.queue, p.meta, p.started_at, p.updated_at,
                    (SELECT count(*)::int FROM ${jobs} AS j
                      WHERE j.state = 'executing' AND j.queue = p.queue
                        AND j.attempted_by[2] = p.uuid::text) AS running
               FROM ${producers} AS p
              WHERE p.updated_at > timezone('UTC', now()) - make_interval(secs => $1::float8)
              ORDER BY p.name, p.node, p.queue, p.started_at`,
      values: [maxAgeMs / 1000],
    })
    return rows.map((row) => {
      const meta = typeof row.meta === 'object' && row.meta !== null ? (row.meta as Record<string, unknown>) : {}
      const limit = meta.local_limit
      return {
        uuid: row.uuid,
        instance: row.name,
        node: row.node,
        queue: row.queue,
        limit: typeof limit === 'number' && Number.isFinite(limit) ? limit : null,
        paused: meta.paused === true,
        running: row.running,
        startedAt: row.started_at,
        updatedAt: row.updated_at,
      }
    })
  } catch (error) {
    if (isMissingTable(error)) return []
    throw error
  }
}
