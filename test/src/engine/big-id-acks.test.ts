import {describe, expect, it} from 'vitest'
import {cancelExecutedJobs, completeJobs, discardJobs, retryJobs, snoozeJobs} from '../../../src/engine/ack-jobs.js'
import {fetchJobs} from '../../../src/engine/fetch-jobs.js'
import {insertAllJobs} from '../../../src/engine/insert-all-jobs.js'
import {lockJobBatch} from '../../../src/engine/lock-job-batch.js'
import {normalizeJobSpec} from '../../../src/job/spec.js'
import {insertRaw, migratedDatabase, readJob} from '../../helpers/oban-db.js'

// Every ack kind, and the bulk actions' batch lock, with ids up to 2^63 - 1 (a double rounds
// anything above 2^53): each must change exactly the row it names.
const {pool} = await migratedDatabase('big_id_acks')

describe('ids near 2^53 and 2^63', () => {
  it('returns the ids a bulk insert gave, below 2^53, across it and up to 2^63 - 1', async () => {
    for (const start of ['9007199254740987', '9007199254740991', '9223372036854775805']) {
      await pool.query(`ALTER SEQUENCE oban_jobs_id_seq RESTART WITH ${start}`)
      const specs = Array.from({length: 3}, (_, i) => normalizeJobSpec({worker: 'W', queue: 'bulk_big', args: {i}}))
      const jobs = await insertAllJobs(pool, 'public', specs)
      const {rows} = await pool.query<{id: string; i: number}>(
        `SELECT id::text AS id, (args->>'i')::int AS i FROM oban_jobs WHERE queue = 'bulk_big' ORDER BY id`,
      )
      expect(jobs.map((job) => [job.id, job.args.i])).toEqual(rows.map((row) => [row.id, row.i]))
      expect(rows).toHaveLength(3)
      await pool.query(`DELETE FROM oban_jobs WHERE queue = 'bulk_big'`)
    }
  })

  it('fetches them exactly and applies every kind of ack to them', async () => {
    await pool.query('ALTER SEQUENCE oban_jobs_id_seq RESTART WITH 9223372036854775803')
    const ids = await insertRaw(
      pool,
      Array.from({length: 5}, () => ({queue: 'big', maxAttempts: 3})),
    )
    expect(ids).toEqual([
      '9223372036854775803',
      '9223372036854775804',
      '9223372036854775805',
      '9223372036854775806',
      '9223372036854775807',
    ])
    const fetched = await fetchJobs(pool, 'public', {queue: 'big', demand: 5, node: 'n1', producerUuid: 'u'})
    expect(fetched.map((job) => job.id)).toEqual(ids)
    const [done, failed, dropped, cancelled, snoozed] = ids as [string, string, string, string, string]
    const error = {attempt: 1, at: new Date().toISOString(), error: 'Error: boom'}
    expect(await completeJobs(pool, 'public', 'n1', [{id: done, attempt: 1}])).toEqual([])
    expect(await retryJobs(pool, 'public', 'n1', [{id: failed, attempt: 1, backoff: 30, error}])).toEqual([])
    expect(await discardJobs(pool, 'public', 'n1', [{id: dropped, attempt: 1, error}])).toEqual([])
    expect(await cancelExecutedJobs(pool, 'public', 'n1', [{id: cancelled, attempt: 1, error}])).toEqual([])
    expect(await snoozeJobs(pool, 'public', 'n1', [{id: snoozed, attempt: 1, seconds: 30}])).toEqual([])
    const states = await Promise.all(ids.map(async (id) => (await readJob(pool, id)).state))
    expect(states).toEqual(['completed', 'retryable', 'discarded', 'cancelled', 'scheduled'])
    // An ack of a neighbouring id that a double would have confused with 2^63 - 1 names no job.
    expect(await completeJobs(pool, 'public', 'n1', [{id: '9223372036854775000', attempt: 1}])).toMatchObject([
      {id: '9223372036854775000', state: null},
    ])

    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const batch = await lockJobBatch(client, 'public', {
        filter: {},
        states: ['completed', 'scheduled'],
        afterId: done,
        size: 10,
      })
      expect(batch.candidates).toEqual([snoozed])
      expect(batch.locked).toEqual([{id: snoozed, state: 'scheduled'}])
      await client.query('ROLLBACK')
    } finally {
      client.release()
    }
  })
})
