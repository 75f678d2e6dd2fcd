import {afterEach, describe, expect, it} from 'vitest'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Acker, type Ack} from '../../../src/queue/acker.js'
import type {JobAbort} from '../../../src/queue/job-abort.js'
import {Producer} from '../../../src/queue/producer.js'
import type {Queryable} from '../../../src/db/pool.js'
import type {Job} from '../../../src/job/job.js'
import {promiseExecution} from '../../helpers/promise-execution.js'
import {eventually, insertRaw, migratedDatabase, readJob} from '../../helpers/oban-db.js'

const {pool} = await migratedDatabase('producer')
const logger = createLogger({level: 'silent'})
const producers: Producer[] = []

afterEach(async () => {
  await Promise.all(producers.splice(0).map((p) => p.shutdown(0)))
})

function producer(
  queue: string,
  limit: number,
  execute: (job: Job, abort: JobAbort) => Promise<Ack>,
  acker = new Acker({pool, prefix: 'public', instance: 'Oban', node: 'test-node', logger}),
) {
  const p = new Producer({
    instance: 'Oban',
    node: 'test-node',
    prefix: 'public',
    queue,
    limit,
    paused: false,
    dispatchCooldown: 5,
    pollInterval: 50,
    db: pool,
    acker,
    logger,
    execute: promiseExecution(execute),
  })
  producers.push(p)
  return {producer: p, acker}
}

async function states(queue: string): Promise<Record<string, number>> {
  const {rows} = await pool.query<{state: string; n: number}>(
    'SELECT state, count(*)::int AS n FROM oban_jobs WHERE queue = $1 GROUP BY state',
    [queue],
  )
  return Object.fromEntries(rows.map((r) => [r.state, r.n]))
}

describe('Producer', () => {
  it('runs every job once, never more than the limit at a time', async () => {
    await insertRaw(
      pool,
      Array.from({length: 200}, (_, i) => ({queue: 'drain', args: {i}})),
    )
    let inFlight = 0
    let peak = 0
    const seen: number[] = []
    const {producer: p} = producer('drain', 7, async (job) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      seen.push(job.args.i as number)
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3))
      inFlight--
      return {kind: 'complete', id: job.id, attempt: job.attempt}
    })
    p.start()
    await eventually(async () => (await states('drain')).completed === 200, 20_000, 'all jobs completed')
    expect(peak).toBeLessThanOrEqual(7)
    expect(peak).toBeGreaterThan(1)
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({length: 200}, (_, i) => i))
  })

  it('stops fetching while paused and resumes; scale changes the limit', async () => {
    const {producer: p} = producer('pausing', 2, async (job) => ({kind: 'complete', id: job.id, attempt: job.attempt}))
    p.pause()
    p.start()
    await insertRaw(
      pool,
      Array.from({length: 5}, () => ({queue: 'pausing'})),
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await states('pausing')).toEqual({available: 5})
    expect(p.check()).toMatchObject({paused: true, limit: 2, running: []})
    p.scale({limit: 4})
    expect(p.check().limit).toBe(4)
    p.resume()
    await eventually(async () => (await states('pausing')).completed === 5, 5_000, 'resumed queue drained')
  })

  it('aborts a running job on kill and records the outcome its execution reports', async () => {
    const [id] = await insertRaw(pool, [{queue: 'kill'}])
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const {producer: p} = producer('kill', 1, (job, {signal}) => {
      started()
      return new Promise<Ack>((resolve) =>
        signal.addEventListener('abort', () =>
          resolve({
            kind: 'cancel',
            id: job.id,
            attempt: job.attempt,
            error: {attempt: 1, at: new Date().toISOString(), error: String(signal.reason)},
          }),
        ),
      )
    })
    p.start()
    await running
    expect(p.check().running).toEqual([id])
    expect(p.kill(id!, 'pkill')).toBe(true)
    expect(p.kill('999999', 'pkill')).toBe(false)
    await eventually(async () => (await readJob(pool, id!)).state === 'cancelled', 5_000, 'job cancelled')
  })

  it('on shutdown, runs and waits for the jobs of a fetch still in flight', async () => {
    const ids = await insertRaw(pool, [{queue: 'inflight'}, {queue: 'inflight'}])
    // The fetch waits behind a lock on the table until the shutdown has begun.
    const blocker = await pool.connect()
    await blocker.query('BEGIN')
    await blocker.query('LOCK TABLE oban_jobs IN ACCESS EXCLUSIVE MODE')
    const {producer: p, acker} = producer('inflight', 5, async (job) => ({
      kind: 'complete',
      id: job.id,
      attempt: job.attempt,
    }))
    producers.splice(producers.indexOf(p), 1)
    p.start()
    await eventually(
      async () =>
        (
          await pool.query<{n: number}>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%oban_jobs%'`,
          )
        ).rows[0]!.n > 0,
      10_000,
      'the fetch waiting on the lock',
    )
    const shutdown = p.shutdown(10_000)
    await blocker.query('COMMIT')
    blocker.release()
    expect((await shutdown).orphaned).toEqual([])
    await acker.drain()
    for (const id of ids) expect((await readJob(pool, id)).state).toBe('completed')
  })

  it('waits for running jobs on shutdown, then leaves the rest executing for rescue', async () => {
    const [quick, slow] = await insertRaw(pool, [
      {queue: 'grace', priority: 0},
      {queue: 'grace', priority: 1},
    ])
    const {producer: p, acker} = producer('grace', 2, async (job, {signal}) => {
      if (job.id === slow) await new Promise((resolve) => signal.addEventListener('abort', resolve))
      else await new Promise((resolve) => setTimeout(resolve, 50))
      return {kind: 'complete', id: job.id, attempt: job.attempt}
    })
    p.start()
    await eventually(() => p.check().running.length === 2, 5_000, 'both running')
    producers.splice(producers.indexOf(p), 1)
    const {orphaned} = await p.shutdown(300)
    expect(orphaned).toEqual([slow])
    await acker.drain()
    expect((await readJob(pool, quick!)).state).toBe('completed')
    expect((await readJob(pool, slow!)).state).toBe('executing')
  })

  // Fetches are counted as they are sent; a cooldown of hours makes "waits" unmistakable.
  function countedProducer(queue: string, pollInterval: number) {
    const counts = {sent: 0, done: 0}
    const db: Queryable = {
      query: ((...args: Parameters<Queryable['query']>) => {
        counts.sent++
        return pool.query(...args).finally(() => counts.done++)
      }) as Queryable['query'],
    }
    const p = new Producer({
      instance: 'Oban',
      node: 'test-node',
      prefix: 'public',
      queue,
      limit: 5,
      paused: false,
      dispatchCooldown: 10_000_000,
      pollInterval,
      db,
      acker: new Acker({pool, prefix: 'public', instance: 'Oban', node: 'test-node', logger}),
      logger,
      execute: promiseExecution(async (job) => ({kind: 'complete', id: job.id, attempt: job.attempt})),
    })
    producers.push(p)
    return {producer: p, counts}
  }

  it('fetches at once on the first wake-up after its own look at start; a fetch for a wake-up starts the cooldown', async () => {
    const {producer: p, counts} = countedProducer('cooldown', 10_000_000)
    p.start()
    expect(counts.sent).toBe(1)
    await eventually(() => Promise.resolve(counts.done === 1), 5_000, 'the look at start returned')

    const [first] = await insertRaw(pool, [{queue: 'cooldown'}])
    p.wake()
    expect(counts.sent).toBe(2)
    await eventually(async () => (await readJob(pool, first!)).state === 'completed', 5_000, 'job run at once')
    await eventually(() => Promise.resolve(counts.done === 2), 5_000, 'the second fetch returned')

    // That fetch answered a wake-up: the next wake-up waits for the cooldown (a timer, no fetch).
    await insertRaw(pool, [{queue: 'cooldown'}])
    p.wake()
    expect(counts.sent).toBe(2)
    expect(await states('cooldown')).toEqual({available: 1, completed: 1})
  })

  it("does not start the cooldown with the poll's fetches", async () => {
    // Had the look at start or a poll started the cooldown, no poll would fetch for hours.
    const {producer: p, counts} = countedProducer('cooldown-poll', 30)
    p.start()
    await eventually(() => Promise.resolve(counts.done >= 3), 5_000, 'two polls fetched')
    const [job] = await insertRaw(pool, [{queue: 'cooldown-poll'}])
    p.wake()
    await eventually(async () => (await readJob(pool, job!)).state === 'completed', 5_000, 'job run')
  })

  it('waits out the cooldown after a fetch for a wake-up that found nothing (nodes that lose every race do not stampede)', async () => {
    const {producer: p, counts} = countedProducer('cooldown-empty', 10_000_000)
    p.start()
    await eventually(() => Promise.resolve(counts.done === 1), 5_000, 'the look at start returned')
    p.wake()
    expect(counts.sent).toBe(2)
    await eventually(() => Promise.resolve(counts.done === 2), 5_000, 'the empty fetch returned')
    p.wake()
    expect(counts.sent).toBe(2)
  })
})
