import {describe, expect, it} from 'vitest'
import {cancelExecutedJobs, completeJobs, discardJobs, retryJobs, snoozeJobs} from '../../../src/engine/ack-jobs.js'
import {fetchJobs} from '../../../src/engine/fetch-jobs.js'
import {getJob} from '../../../src/engine/get-job.js'
import {insertRaw, migratedDatabase, readJob} from '../../helpers/oban-db.js'

const {pool} = await migratedDatabase('fetch_ack')
const request = (queue: string, demand: number) => ({
  queue,
  demand,
  node: 'node-1',
  producerUuid: '00000000-0000-4000-8000-000000000001',
})

describe('fetchJobs', () => {
  it("claims available jobs in Oban's order, up to the demand", async () => {
    const [low, high, older, later] = await insertRaw(pool, [
      {queue: 'order', priority: 3},
      {queue: 'order', priority: 0, scheduledIn: -1},
      {queue: 'order', priority: 1, scheduledIn: -10},
      {queue: 'order', priority: 1, scheduledIn: -5},
    ])
    await insertRaw(pool, [{queue: 'other'}, {queue: 'order', state: 'scheduled', scheduledIn: 60}])
    const first = await fetchJobs(pool, 'public', request('order', 3))
    expect(first.map((j) => j.id)).toEqual([high, older, later])
    expect(first.every((j) => j.state === 'executing' && j.attempt === 1)).toBe(true)
    expect(first[0]!.attemptedBy).toEqual(['node-1', '00000000-0000-4000-8000-000000000001'])
    expect(first[0]!.attemptedAt).toBeInstanceOf(Date)
    expect(Math.abs((first[0]!.attemptedAt as Date).getTime() - Date.now())).toBeLessThan(60_000)
    const rest = await fetchJobs(pool, 'public', request('order', 3))
    expect(rest.map((j) => j.id)).toEqual([low])
    expect(await fetchJobs(pool, 'public', request('order', 3))).toEqual([])
  })

  it("claims the same way when the demand is the queue's whole limit (the statement with a literal LIMIT)", async () => {
    const ids = await insertRaw(pool, [
      {queue: 'whole', priority: 2},
      {queue: 'whole', priority: 0, scheduledIn: -1},
      {queue: 'whole', priority: 1},
      {queue: 'whole', priority: 1, scheduledIn: -3},
      {queue: 'whole', priority: 0},
    ])
    const [p2, p0old, p1, p1old, p0] = ids
    const whole = {...request('whole', 2), limit: 2}
    // Past PostgreSQL's five custom plans, so a cached generic plan is exercised too.
    const seen: string[][] = []
    for (let i = 0; i < 3; i++) seen.push((await fetchJobs(pool, 'public', whole)).map((j) => j.id))
    expect(seen).toEqual([[p0old, p0], [p1old, p1], [p2]])
    const again = await insertRaw(
      pool,
      Array.from({length: 8}, () => ({queue: 'whole'})),
    )
    for (let i = 0; i < 4; i++) expect(await fetchJobs(pool, 'public', whole)).toHaveLength(2)
    expect(await fetchJobs(pool, 'public', whole)).toEqual([])
    const states = await Promise.all(again.map(async (id) => (await readJob(pool, id)).state))
    expect(states.every((state) => state === 'executing')).toBe(true)
  })

  it('returns every column as a job read back by id would show it (errors, meta, tags, old timestamps)', async () => {
    const [id] = await insertRaw(pool, [
      {
        queue: 'columns',
        priority: 2,
        attempt: 1,
        maxAttempts: 5,
        args: {n: 1, s: 'é "q"', deep: {list: [1, null, true]}},
      },
    ])
    await pool.query(
      `UPDATE oban_jobs SET meta = $2, tags = $3, errors = $4, completed_at = '2026-01-02 03:04:05.678901',
              discarded_at = '2025-12-31 23:59:59', inserted_at = '2026-01-01 00:00:00.5'
        WHERE id = $1`,
      [
        id,
        {batch: 'b-1', snoozed: 2},
        ['alpha', 'with space', 'quote"d'],
        [{attempt: 1, at: '2026-01-01T00:00:01.000000Z', error: 'Error: first'}],
      ],
    )
    const [fetched] = await fetchJobs(pool, 'public', request('columns', 1))
    const stored = await getJob(pool, 'public', id!)
    expect(fetched).toEqual(stored)
    expect(fetched).toMatchObject({
      args: {n: 1, s: 'é "q"', deep: {list: [1, null, true]}},
      meta: {batch: 'b-1', snoozed: 2},
      tags: ['alpha', 'with space', 'quote"d'],
      errors: [{attempt: 1, at: '2026-01-01T00:00:01.000000Z', error: 'Error: first'}],
      priority: 2,
      attempt: 2,
      maxAttempts: 5,
      insertedAt: new Date('2026-01-01T00:00:00.500Z'),
      completedAt: new Date('2026-01-02T03:04:05.678Z'),
      discardedAt: new Date('2025-12-31T23:59:59.000Z'),
      cancelledAt: null,
    })
  })

  it('never fetches a job that is out of attempts', async () => {
    const [spent] = await insertRaw(pool, [{queue: 'spent', attempt: 3, maxAttempts: 3}])
    expect(await fetchJobs(pool, 'public', request('spent', 5))).toEqual([])
    expect((await readJob(pool, spent!)).state).toBe('available')
  })

  it('gives concurrent fetchers disjoint jobs (SKIP LOCKED)', async () => {
    await insertRaw(
      pool,
      Array.from({length: 60}, () => ({queue: 'race'})),
    )
    const batches = await Promise.all(Array.from({length: 6}, () => fetchJobs(pool, 'public', request('race', 15))))
    const ids = batches.flat().map((j) => j.id)
    expect(ids).toHaveLength(60)
    expect(new Set(ids).size).toBe(60)
  })
})

describe('acks', () => {
  it('writes each outcome as Oban does', async () => {
    const ids = await insertRaw(
      pool,
      Array.from({length: 5}, () => ({queue: 'acks', maxAttempts: 3})),
    )
    await fetchJobs(pool, 'public', request('acks', 5))
    const [done, failed, dropped, cancelled, snoozed] = ids as [string, string, string, string, string]
    const error = (attempt: number) => ({attempt, at: new Date().toISOString(), error: 'Error: boom'})
    expect(await completeJobs(pool, 'public', 'node-1', [{id: done, attempt: 1}])).toEqual([])
    expect(await retryJobs(pool, 'public', 'node-1', [{id: failed, attempt: 1, backoff: 17, error: error(1)}])).toEqual(
      [],
    )
    expect(await discardJobs(pool, 'public', 'node-1', [{id: dropped, attempt: 1, error: error(1)}])).toEqual([])
    expect(await cancelExecutedJobs(pool, 'public', 'node-1', [{id: cancelled, attempt: 1, error: error(1)}])).toEqual(
      [],
    )
    expect(await snoozeJobs(pool, 'public', 'node-1', [{id: snoozed, attempt: 1, seconds: 30}])).toEqual([])

    const completed = await readJob(pool, done)
    expect(completed).toMatchObject({state: 'completed', errors: []})
    expect(completed.completed_at).toBeInstanceOf(Date)

    const retryable = await readJob(pool, failed)
    expect(retryable.state).toBe('retryable')
    expect(retryable.errors).toEqual([expect.objectContaining({attempt: 1, error: 'Error: boom'})])
    const delay = ((retryable.scheduled_at as Date).getTime() - Date.now()) / 1000
    expect(delay).toBeGreaterThan(10)
    expect(delay).toBeLessThan(20)

    expect(await readJob(pool, dropped)).toMatchObject({state: 'discarded', discarded_at: expect.any(Date) as Date})
    expect(await readJob(pool, cancelled)).toMatchObject({state: 'cancelled', cancelled_at: expect.any(Date) as Date})

    const rescheduled = await readJob(pool, snoozed)
    expect(rescheduled).toMatchObject({state: 'scheduled', attempt: 0, max_attempts: 3, meta: {snoozed: 1}})
  })
})

describe('fenced acks', () => {
  const error = {attempt: 1, at: '2026-01-01T00:00:00.000000Z', error: 'Error: late'}
  // Every ack kind, applied to a job fetched as attempt 1 by node-1.
  const kinds = {
    complete: (id: string, node = 'node-1', attempt = 1) => completeJobs(pool, 'public', node, [{id, attempt}]),
    retry: (id: string, node = 'node-1', attempt = 1) =>
      retryJobs(pool, 'public', node, [{id, attempt, backoff: 5, error}]),
    discard: (id: string, node = 'node-1', attempt = 1) => discardJobs(pool, 'public', node, [{id, attempt, error}]),
    cancel: (id: string, node = 'node-1', attempt = 1) =>
      cancelExecutedJobs(pool, 'public', node, [{id, attempt, error}]),
    snooze: (id: string, node = 'node-1', attempt = 1) =>
      snoozeJobs(pool, 'public', node, [{id, attempt, seconds: 30}]),
  }

  /** A job node-1 fetched (attempt 1), then rescued by a Lifeline and fetched again by node-2 (attempt 2). */
  async function rescuedAndRefetched(queue: string): Promise<string> {
    const [id] = await insertRaw(pool, [{queue, maxAttempts: 5}])
    await fetchJobs(pool, 'public', request(queue, 1))
    await pool.query(`UPDATE oban_jobs SET state = 'available' WHERE id = $1`, [id])
    await fetchJobs(pool, 'public', {...request(queue, 1), node: 'node-2'})
    return id!
  }

  for (const [kind, ack] of Object.entries(kinds)) {
    it(`a ${kind} ack of an attempt that was rescued and run again elsewhere changes nothing`, async () => {
      const id = await rescuedAndRefetched(`fence-${kind}`)
      const before = await readJob(pool, id)
      const stale = await ack(id)
      expect(stale).toEqual([
        {id, attempt: 1, state: 'executing', currentAttempt: 2, attemptedBy: expect.any(Array) as string[]},
      ])
      expect(stale[0]!.attemptedBy![0]).toBe('node-2')
      expect(await readJob(pool, id)).toEqual(before)
      // The attempt that holds the job now is acknowledged as usual.
      expect(await ack(id, 'node-2', 2)).toEqual([])
      expect((await readJob(pool, id)).state).not.toBe('executing')
    })
  }

  it('applies only to executing jobs of this node, and reports deleted jobs', async () => {
    const [cancelled, other, deleted, fine] = await insertRaw(
      pool,
      Array.from({length: 4}, () => ({queue: 'fence-mixed'})),
    )
    await fetchJobs(pool, 'public', request('fence-mixed', 4))
    // Cancelled by an operator while it ran; another node's name in attempted_by; deleted.
    await pool.query(`UPDATE oban_jobs SET state = 'cancelled', cancelled_at = now() WHERE id = $1`, [cancelled])
    await pool.query(`UPDATE oban_jobs SET attempted_by = ARRAY['node-9', 'x'] WHERE id = $1`, [other])
    await pool.query('DELETE FROM oban_jobs WHERE id = $1', [deleted])
    const stale = await completeJobs(
      pool,
      'public',
      'node-1',
      [cancelled!, other!, deleted!, fine!].map((id) => ({id, attempt: 1})),
    )
    expect(stale.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      {id: cancelled, attempt: 1, state: 'cancelled', currentAttempt: 1, attemptedBy: expect.any(Array) as string[]},
      {id: other, attempt: 1, state: 'executing', currentAttempt: 1, attemptedBy: ['node-9', 'x']},
      {id: deleted, attempt: 1, state: null, currentAttempt: null, attemptedBy: null},
    ])
    expect((await readJob(pool, cancelled!)).state).toBe('cancelled')
    expect((await readJob(pool, other!)).state).toBe('executing')
    expect((await readJob(pool, fine!)).state).toBe('completed')
  })

  it('records the error of the cancel ack on the attempt an operator cancelled while it ran (pkill)', async () => {
    const [killed, completed] = await insertRaw(pool, [{queue: 'fence-pkill'}, {queue: 'fence-pkill'}])
    await fetchJobs(pool, 'public', request('fence-pkill', 2))
    await pool.query(`UPDATE oban_jobs SET state = 'cancelled', cancelled_at = now() WHERE id = ANY($1)`, [
      [killed, completed],
    ])
    expect(await kinds.cancel(killed!)).toEqual([])
    // The entry as given, with the database's `at` (microseconds, as Oban writes it).
    expect(await readJob(pool, killed!)).toMatchObject({
      state: 'cancelled',
      errors: [{...error, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) as unknown}],
    })
    // Any other outcome of that attempt leaves the operator's cancel alone.
    expect(await kinds.complete(completed!)).toHaveLength(1)
    expect(await readJob(pool, completed!)).toMatchObject({state: 'cancelled', errors: [], completed_at: null})
  })
})
