import {afterAll, beforeEach, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {insertJob, type InsertContext} from '../../../src/client/insert.js'
import type {Job} from '../../../src/job/job.js'
import {createTestDatabase} from '../../helpers/db.js'
import {insertListener} from '../../helpers/insert-listener.js'

const url = await createTestDatabase('insert_unique')
// Room for 20 concurrent inserters, each on its own connection.
const pool: Pool = createPool(url, {max: 24})
afterAll(() => pool.end())
await migrateUp(pool, {prefix: 'public'})
const ctx: InsertContext = {pool, prefix: 'public', insertTrigger: true}
const listener = await insertListener(url, pool)

beforeEach(async () => {
  await pool.query('TRUNCATE oban_jobs')
})

const count = async () => (await pool.query<{n: number}>('SELECT count(*)::int AS n FROM oban_jobs')).rows[0]!.n
const setState = (id: string | null, state: string) =>
  pool.query('UPDATE oban_jobs SET state = $2 WHERE id = $1', [id, state])

describe('unique inserts', () => {
  it('returns the existing job with conflict true', async () => {
    const first = await insertJob(ctx, {worker: 'W', args: {id: 1}, unique: true})
    const again = await insertJob(ctx, {worker: 'W', args: {id: 1}, unique: true})
    expect(first).toMatchObject({conflict: false, locked: false})
    expect(again).toEqual({job: first.job, conflict: true, locked: false})
    // Different args, queue or worker are different jobs.
    expect((await insertJob(ctx, {worker: 'W', args: {id: 2}, unique: true})).conflict).toBe(false)
    expect((await insertJob(ctx, {worker: 'W', args: {id: 1}, queue: 'q', unique: true})).conflict).toBe(false)
    expect((await insertJob(ctx, {worker: 'V', args: {id: 1}, unique: true})).conflict).toBe(false)
    // Args are compared as jsonb: key order does not matter, extra keys do.
    expect((await insertJob(ctx, {worker: 'W', args: {a: 1, b: 2}, unique: true})).conflict).toBe(false)
    expect((await insertJob(ctx, {worker: 'W', args: {b: 2, a: 1}, unique: true})).conflict).toBe(true)
    expect((await insertJob(ctx, {worker: 'W', args: {a: 1}, unique: true})).conflict).toBe(false)
    expect(await count()).toBe(6)
  })

  it('only looks back over the period, on inserted_at or scheduled_at', async () => {
    const unique = {period: 60}
    const {job} = await insertJob(ctx, {worker: 'W', unique})
    expect((await insertJob(ctx, {worker: 'W', unique})).conflict).toBe(true)
    await pool.query(`UPDATE oban_jobs SET inserted_at = inserted_at - interval '2 minutes' WHERE id = $1`, [job.id])
    expect((await insertJob(ctx, {worker: 'W', unique})).conflict).toBe(false)
    expect((await insertJob(ctx, {worker: 'W', unique: {period: '5m'}})).conflict).toBe(true)

    await pool.query('TRUNCATE oban_jobs')
    const byScheduled = {period: 60, timestamp: 'scheduled_at'} as const
    await insertJob(ctx, {worker: 'S', scheduleIn: 3600, unique: byScheduled})
    expect((await insertJob(ctx, {worker: 'S', unique: byScheduled})).conflict).toBe(true)
    await pool.query(`UPDATE oban_jobs SET scheduled_at = scheduled_at - interval '2 hours'`)
    expect((await insertJob(ctx, {worker: 'S', unique: byScheduled})).conflict).toBe(false)
  })

  it('counts existing jobs only in the unique states', async () => {
    const {job} = await insertJob(ctx, {worker: 'W', unique: true})
    await setState(job.id, 'completed')
    expect((await insertJob(ctx, {worker: 'W', unique: true})).job.id).toBe(job.id)
    const incomplete = await insertJob(ctx, {worker: 'W', unique: {period: 'infinity', states: 'incomplete'}})
    expect(incomplete.conflict).toBe(false)
    await setState(incomplete.job.id, 'discarded')
    await setState(job.id, 'cancelled')
    expect((await insertJob(ctx, {worker: 'W', unique: true})).conflict).toBe(false)
    expect((await insertJob(ctx, {worker: 'W', unique: {period: 'infinity', states: 'all'}})).conflict).toBe(true)
    expect((await insertJob(ctx, {worker: 'W', unique: {states: ['discarded']}})).job.id).toBe(incomplete.job.id)
  })

  it('compares only the listed keys of args and meta', async () => {
    const unique = {fields: ['worker', 'args'], keys: ['id']} as const
    const {job} = await insertJob(ctx, {worker: 'W', args: {id: 1, note: 'a'}, unique})
    expect((await insertJob(ctx, {worker: 'W', args: {id: 1, note: 'b'}, queue: 'other', unique})).job.id).toBe(job.id)
    expect((await insertJob(ctx, {worker: 'W', args: {id: 2, note: 'a'}, unique})).conflict).toBe(false)

    const byMeta = {fields: ['meta'], keys: ['slug']} as const
    const first = await insertJob(ctx, {worker: 'A', meta: {slug: 'x', n: 1}, unique: byMeta})
    expect((await insertJob(ctx, {worker: 'B', meta: {slug: 'x', n: 2}, unique: byMeta})).job.id).toBe(first.job.id)
    expect((await insertJob(ctx, {worker: 'A', meta: {slug: 'y'}, unique: byMeta})).conflict).toBe(false)
  })

  it('applies replace for the existing job state only, with the given fields', async () => {
    const unique = {fields: ['worker'], period: 'infinity'} as const
    const replace = {scheduled: ['scheduledAt', 'args', 'priority'], available: ['priority']} as const
    const first = await insertJob(ctx, {worker: 'R', args: {v: 1}, scheduleIn: 3600, unique, replace})
    const at = new Date(Date.now() + 60_000)
    const second = await insertJob(ctx, {worker: 'R', args: {v: 2}, scheduledAt: at, priority: 4, unique, replace})
    expect(second.conflict).toBe(true)
    expect(second.job).toMatchObject({id: first.job.id, state: 'scheduled', args: {v: 2}, priority: 4, scheduledAt: at})

    // A field the new job does not give is not reset to its default.
    const third = await insertJob(ctx, {worker: 'R', args: {v: 3}, unique, replace})
    expect(third.job).toMatchObject({id: first.job.id, args: {v: 3}, priority: 4, scheduledAt: at})

    // In a state without replace fields, nothing changes.
    await setState(first.job.id, 'retryable')
    const fourth = await insertJob(ctx, {worker: 'R', args: {v: 4}, priority: 9, unique, replace})
    expect(fourth.job).toMatchObject({id: first.job.id, state: 'retryable', args: {v: 3}, priority: 4})
    expect(await count()).toBe(1)
  })

  it('notifies for an available duplicate, as Oban does, and not for a scheduled one', async () => {
    await insertJob(ctx, {worker: 'N', queue: 'dup', unique: true})
    expect(await listener.collect(() => insertJob(ctx, {worker: 'N', queue: 'dup', unique: true}))).toEqual([
      {queue: 'dup'},
    ])
    await insertJob(ctx, {worker: 'M', queue: 'later', scheduleIn: 60, unique: true})
    expect(await listener.collect(() => insertJob(ctx, {worker: 'M', queue: 'later', unique: true}))).toEqual([])
  })

  it('returns an unsaved job with no id while another transaction holds the lock', async () => {
    const holder = await pool.connect()
    try {
      await holder.query('BEGIN')
      const held = await insertJob(ctx, {worker: 'L', args: {id: 1}, unique: true}, {client: holder})
      const blocked = await insertJob(ctx, {worker: 'L', args: {id: 1}, unique: true})
      expect(blocked).toMatchObject({conflict: true, locked: true, job: {id: null, worker: 'L', args: {id: 1}}})
      // Another unique job takes another lock.
      expect((await insertJob(ctx, {worker: 'L', args: {id: 2}, unique: true})).locked).toBe(false)
      await holder.query('COMMIT')
      const after = await insertJob(ctx, {worker: 'L', args: {id: 1}, unique: true})
      expect(after).toMatchObject({conflict: true, locked: false, job: {id: (held.job as Job).id}})
    } finally {
      holder.release()
    }
  })

  it('inserts exactly one row for 20 concurrent inserts of the same job', async () => {
    const results = await Promise.all(
      Array.from({length: 20}, () => insertJob(ctx, {worker: 'Race', args: {id: 7}, unique: {period: 60}})),
    )
    expect(await count()).toBe(1)
    expect(results.filter((r) => !r.conflict)).toHaveLength(1)
    expect(results.filter((r) => r.conflict)).toHaveLength(19)
  })
})
