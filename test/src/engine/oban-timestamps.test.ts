import {describe, expect, it} from 'vitest'
import {insertAllJobs} from '../../../src/client/insert-all.js'
import {insertJob, type InsertContext} from '../../../src/client/insert.js'
import {cancelExecutedJobs, discardJobs, retryJobs} from '../../../src/engine/ack-jobs.js'
import {fetchJobs} from '../../../src/engine/fetch-jobs.js'
import {insertRaw, migratedDatabase} from '../../helpers/oban-db.js'

// Oban keeps microseconds where JavaScript dates keep milliseconds: an error entry's `at` is
// Elixir's DateTime.to_iso8601 of utc_now (`2026-12-07T03:50:12.123456Z`), and a job inserted
// with schedule_in is scheduled at now plus the seconds, to the microsecond. Both are computed
// by the database, so the stored values are in Oban's form.

const {pool} = await migratedDatabase('oban_timestamps')
const ctx: InsertContext = {pool, prefix: 'public', insertTrigger: false}
const ELIXIR_ISO8601_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/

/** How far `scheduled_at` is from `inserted_at`, as PostgreSQL computes it (exact, microseconds). */
async function offsets(ids: string[]): Promise<string[]> {
  const {rows} = await pool.query<{offset: string}>(
    `SELECT (scheduled_at - inserted_at)::text AS offset FROM oban_jobs WHERE id = ANY($1) ORDER BY id`,
    [ids],
  )
  return rows.map((r) => r.offset)
}

describe("Oban's microsecond timestamps", () => {
  it('scheduleIn schedules at the insert time plus the seconds, to the microsecond (insert, insertAll)', async () => {
    const one = await insertJob(ctx, {worker: 'W', scheduleIn: '10s'})
    const half = await insertJob(ctx, {worker: 'W', scheduleIn: 2.5})
    expect(await offsets([one.job.id, half.job.id])).toEqual(['00:00:10', '00:00:02.5'])

    const explicit = new Date('2030-01-02T03:04:05.678Z')
    const many = await insertAllJobs(ctx, [
      {worker: 'W', scheduleIn: 30},
      {worker: 'W', scheduledAt: explicit},
      {worker: 'W'},
      {worker: 'W', scheduleIn: '1d'},
    ])
    const ids = many.map((job) => job.id)
    expect((await offsets([ids[0]!, ids[2]!, ids[3]!])).map(String)).toEqual(['00:00:30', '00:00:00', '1 day'])
    const {rows} = await pool.query<{at: string}>(`SELECT scheduled_at::text AS at FROM oban_jobs WHERE id = $1`, [
      ids[1],
    ])
    expect(rows[0]!.at).toBe('2030-01-02 03:04:05.678')
    // The jobs returned without reading the rows back say the same, to the millisecond.
    expect((many[0]!.scheduledAt as Date).getTime() - (many[0]!.insertedAt as Date).getTime()).toBe(30_000)
    expect(many[1]!.scheduledAt).toEqual(explicit)
  })

  it("error entries' `at` is the ack's time with microseconds, in Elixir's ISO 8601 form", async () => {
    const ids = await insertRaw(
      pool,
      Array.from({length: 3}, () => ({queue: 'errors', maxAttempts: 3})),
    )
    const node = 'node-1'
    await fetchJobs(pool, 'public', {
      queue: 'errors',
      demand: 3,
      node,
      producerUuid: '00000000-0000-4000-8000-000000000001',
    })
    const [failed, dropped, cancelled] = ids as [string, string, string]
    // The entry's own `at` (JavaScript's, milliseconds) is replaced by the database's.
    const error = {attempt: 1, at: '2000-01-01T00:00:00.000Z', error: 'Error: boom'}
    await retryJobs(pool, 'public', node, [{id: failed, attempt: 1, backoff: 17, error}])
    await discardJobs(pool, 'public', node, [{id: dropped, attempt: 1, error}])
    await cancelExecutedJobs(pool, 'public', node, [{id: cancelled, attempt: 1, error}])
    const {rows} = await pool.query<{id: string; at: string; done: string; errors: string}>(
      `SELECT id, errors[1] ->> 'at' AS at, errors[1]::text AS errors,
              to_char(COALESCE(discarded_at, cancelled_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS done
         FROM oban_jobs WHERE id = ANY($1) ORDER BY id`,
      [ids],
    )
    for (const row of rows) {
      expect(row.at).toMatch(ELIXIR_ISO8601_MICRO)
      expect(Math.abs(new Date(row.at).getTime() - Date.now())).toBeLessThan(60_000)
      // jsonb's own key order, as Oban's rows show it (oban-wire.md).
      expect(row.errors).toBe(`{"at": "${row.at}", "error": "Error: boom", "attempt": 1}`)
    }
    // Written by the same statement as discarded_at / cancelled_at: the same instant.
    expect(rows[1]!.at).toBe(rows[1]!.done)
    expect(rows[2]!.at).toBe(rows[2]!.done)
  })
})
