import {afterAll} from 'vitest'
import {createPool, type Pool} from '../../src/db/pool.js'
import {migrateUp} from '../../src/db/migrations/index.js'
import {createTestDatabase} from './db.js'
import {waitFor} from './wait.js'

/**
 * A fresh database for the calling test file with Oban's tables migrated in `prefix`, and a pool
 * on it that is closed after the file's tests.
 */
export async function migratedDatabase(hint: string, prefix = 'public'): Promise<{url: string; pool: Pool}> {
  const url = await createTestDatabase(hint)
  const pool = createPool(url, {max: 10})
  afterAll(() => pool.end())
  await migrateUp(pool, {prefix})
  return {url, pool}
}

export interface RawJob {
  worker?: string
  queue?: string
  args?: Record<string, unknown>
  state?: string
  priority?: number
  attempt?: number
  maxAttempts?: number
  /** Seconds from now (negative: in the past). */
  scheduledIn?: number
}

/** Inserts rows directly, as another client (psql, an Elixir node) would; returns their ids. */
export async function insertRaw(pool: Pool, jobs: RawJob[], prefix = 'public'): Promise<string[]> {
  const ids: string[] = []
  for (const job of jobs) {
    const {rows} = await pool.query<{id: string}>(
      `INSERT INTO "${prefix}".oban_jobs (worker, queue, args, state, priority, attempt, max_attempts, scheduled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, timezone('UTC', now()) + make_interval(secs => $8)) RETURNING id`,
      [
        job.worker ?? 'Test.Worker',
        job.queue ?? 'default',
        job.args ?? {},
        job.state ?? 'available',
        job.priority ?? 0,
        job.attempt ?? 0,
        job.maxAttempts ?? 20,
        job.scheduledIn ?? 0,
      ],
    )
    ids.push(String(rows[0]!.id))
  }
  return ids
}

/** Reads one job row as stored. */
export async function readJob(pool: Pool, id: string | number, prefix = 'public'): Promise<Record<string, unknown>> {
  const {rows} = await pool.query(`SELECT * FROM "${prefix}".oban_jobs WHERE id = $1`, [id])
  return rows[0] as Record<string, unknown>
}

/** Polls `check` until it returns true; throws after `timeoutMs` (see waitFor in wait.ts). */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  message = 'condition',
): Promise<void> {
  await waitFor(check, {timeoutMs, message})
}
