import {randomUUID} from 'node:crypto'
import type {Pool} from '../../src/db/pool.js'

/**
 * Elixir and Python Oban nodes played by raw SQL and NOTIFY, exactly as each runtime behaves on the
 * wire and in its tables (facts in /work/shared/reference/oban-wire.md for Elixir v2.23.1, and
 * Python Oban's installer, producer, refresher and leader queries):
 *  - every Elixir node pings `<prefix>.oban_sonar` with `{"node":NODE,"ping":true}`, sent as Oban
 *    sends (`pg_notify` over `json_array_elements_text`), first at start and then every 5 to 60 s;
 *    its leader holds `oban_peers`;
 *  - a Python node writes one `oban_producers` row per queue (uuid, name, node, queue, meta with
 *    local_limit and paused), refreshes `updated_at` every 15 s, fetches with `attempted_by = [node,
 *    producer uuid]`, and its leader holds a row of `oban_leaders` (name, node, elected_at,
 *    expires_at, a 30 s lease renewed every 15 s).
 */

/** Python Oban's two tables of its own, with the column definitions of its installer (install.sql). */
export async function installPythonTables(pool: Pool, prefix = 'public'): Promise<void> {
  await pool.query(`CREATE UNLOGGED TABLE IF NOT EXISTS "${prefix}".oban_leaders (
    name text PRIMARY KEY DEFAULT 'oban',
    node text NOT NULL,
    elected_at timestamp WITHOUT TIME ZONE NOT NULL,
    expires_at timestamp WITHOUT TIME ZONE NOT NULL
  )`)
  await pool.query(`CREATE UNLOGGED TABLE IF NOT EXISTS "${prefix}".oban_producers (
    uuid uuid PRIMARY KEY,
    name text NOT NULL DEFAULT 'oban',
    node text NOT NULL,
    queue text NOT NULL,
    meta jsonb NOT NULL DEFAULT '{}',
    started_at timestamp WITHOUT TIME ZONE NOT NULL DEFAULT timezone('UTC', now()),
    updated_at timestamp WITHOUT TIME ZONE NOT NULL DEFAULT timezone('UTC', now())
  )`)
}

/** A Python queue starting (Producer.start: insert_producer); returns the producer's uuid. */
export async function startPythonQueue(
  pool: Pool,
  queue: {name?: string; node: string; queue: string; limit: number; paused?: boolean},
  prefix = 'public',
): Promise<string> {
  const uuid = randomUUID()
  await pool.query(
    `INSERT INTO "${prefix}".oban_producers (uuid, name, node, queue, meta) VALUES ($1, $2, $3, $4, $5)`,
    [uuid, queue.name ?? 'Oban', queue.node, queue.queue, {local_limit: queue.limit, paused: queue.paused ?? false}],
  )
  return uuid
}

/** Jobs a Python producer fetched and runs now (fetch_jobs.sql: executing, attempted_by [node, uuid]). */
export async function runOnPython(
  pool: Pool,
  producer: {node: string; uuid: string; queue: string},
  count: number,
  prefix = 'public',
): Promise<number[]> {
  const {rows} = await pool.query<{id: string}>(
    `INSERT INTO "${prefix}".oban_jobs (state, queue, worker, attempt, attempted_at, attempted_by)
     SELECT 'executing', $1, 'app.workers.Slow', 1, timezone('UTC', now()), ARRAY[$2, $3]::text[]
       FROM generate_series(1, $4) RETURNING id`,
    [producer.queue, producer.node, producer.uuid, count],
  )
  return rows.map((r) => Number(r.id))
}

/** A Python node winning the election (elect_leader.sql with Leader's 30 s interval). */
export async function electPythonLeader(pool: Pool, node: string, name = 'Oban', prefix = 'public'): Promise<void> {
  await pool.query(
    `INSERT INTO "${prefix}".oban_leaders (name, node, elected_at, expires_at)
     VALUES ($1, $2, timezone('UTC', now()), timezone('UTC', now()) + interval '30 seconds')
     ON CONFLICT (name) DO NOTHING`,
    [name, node],
  )
}

/** A Python leader stopping (resign_leader.sql). */
export async function resignPythonLeader(pool: Pool, node: string, name = 'Oban', prefix = 'public'): Promise<void> {
  await pool.query(`DELETE FROM "${prefix}".oban_leaders WHERE name = $1 AND node = $2`, [name, node])
}

/** An Elixir leader's lease in oban_peers (Oban.Peers.Database: 30 s). */
export async function electElixirLeader(pool: Pool, instance: string, node: string, prefix = 'public'): Promise<void> {
  await pool.query(
    `INSERT INTO "${prefix}".oban_peers (name, node, started_at, expires_at)
     VALUES ($1, $2, timezone('UTC', now()), timezone('UTC', now()) + interval '30 seconds')`,
    [instance, node],
  )
}

/** One sonar ping of an Elixir node, as Oban's notifier sends it. */
export async function sonarPing(pool: Pool, node: string, prefix = 'public'): Promise<void> {
  await pool.query('SELECT pg_notify($1, payload) FROM json_array_elements_text($2::json) AS payload', [
    `${prefix}.oban_sonar`,
    JSON.stringify([JSON.stringify({node, ping: true})]),
  ])
}

/**
 * An Elixir node alive: a ping now, then one every `intervalMs` (Oban's Sonar starts at its 5 s
 * minimum) until the returned function is called.
 */
export function elixirNode(pool: Pool, node: string, intervalMs = 5_000, prefix = 'public'): () => void {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    if (stopped) return
    void sonarPing(pool, node, prefix)
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs)
      })
  }
  tick()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}

/**
 * A Python node's periodic writes, until the returned function is called: the Refresher touches
 * its producers' `updated_at` every 15 s, and its leader renews its lease every 15 s (half the
 * 30 s election interval, reelect_leader.sql) while it still holds it.
 */
export function keepPythonAlive(
  pool: Pool,
  node: {node: string; uuids: readonly string[]; name?: string},
  prefix = 'public',
  intervalMs = 15_000,
): () => void {
  const timer = setInterval(() => {
    void pool
      .query(`UPDATE "${prefix}".oban_producers SET updated_at = timezone('UTC', now()) WHERE uuid = ANY($1::uuid[])`, [
        node.uuids,
      ])
      .catch(() => undefined)
    void pool
      .query(
        `INSERT INTO "${prefix}".oban_leaders AS l (name, node, elected_at, expires_at)
         SELECT $1, $2, timezone('UTC', now()), timezone('UTC', now()) + interval '30 seconds'
          WHERE EXISTS (SELECT 1 FROM "${prefix}".oban_leaders WHERE name = $1 AND node = $2)
         ON CONFLICT (name) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE l.node = EXCLUDED.node`,
        [node.name ?? 'Oban', node.node],
      )
      .catch(() => undefined)
  }, intervalMs)
  return () => clearInterval(timer)
}
