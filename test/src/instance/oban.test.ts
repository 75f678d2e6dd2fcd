import {afterEach, describe, expect, it} from 'vitest'
import {Oban} from '../../../src/instance/oban.js'
import type {InsertResult} from '../../../src/client/insert.js'
import type {Job} from '../../../src/job/job.js'
import {cancel, defineWorker, error, snooze} from '../../../src/index.js'
import {attach, detach} from '../../../src/telemetry/telemetry.js'
import {eventually, migratedDatabase, readJob} from '../../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('oban')
const instances: Oban[] = []

/** The saved job of an insert (these tests insert no unique jobs, so none is ever left unsaved). */
function saved(result: InsertResult): Job {
  if (result.locked) throw new Error('unexpected locked unique insert')
  return result.job
}

afterEach(async () => {
  await Promise.all(instances.splice(0).map((o) => o.stop()))
})

const attempts = new Map<string, number>()
const Flaky = defineWorker<{key: string; failures: number}>({
  name: 'Test.Flaky',
  maxAttempts: 5,
  backoff: () => 0,
  perform(job) {
    const n = (attempts.get(job.args.key) ?? 0) + 1
    attempts.set(job.args.key, n)
    if (n <= job.args.failures) throw new Error(`failure ${n}`)
  },
})
const Outcomes = defineWorker<{outcome: string}>({
  name: 'Test.Outcomes',
  perform(job) {
    switch (job.args.outcome) {
      case 'error':
        return error('bad input')
      case 'cancel':
        return cancel('not needed')
      case 'snooze':
        return snooze(60)
      default:
        return undefined
    }
  },
})
const Slow = defineWorker({
  name: 'Test.Slow',
  timeout: () => 100,
  perform: (_job, {signal}) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
})

async function start(options: Record<string, unknown> = {}): Promise<Oban> {
  const oban = new Oban({
    databaseUrl: url,
    node: `node-${instances.length}`,
    logLevel: 'silent',
    queues: {default: 5},
    workers: [Flaky, Outcomes, Slow],
    stager: {interval: 100},
    ...options,
  })
  instances.push(oban)
  await oban.start({pollInterval: 100})
  return oban
}

describe('Oban', () => {
  it('runs inserted jobs, retries failures after the backoff and records errors', async () => {
    const oban = await start()
    const job = saved(await oban.insert(Flaky.new({key: 'a', failures: 2})))
    await eventually(async () => (await readJob(pool, job.id)).state === 'completed', 15_000, 'flaky job completed')
    const row = await readJob(pool, job.id)
    expect(row.attempt).toBe(3)
    expect((row.errors as {attempt: number; error: string}[]).map((e) => e.attempt)).toEqual([1, 2])
    expect((row.errors as {error: string}[])[0]!.error).toContain('Error: failure 1')
    expect(row.attempted_by).toEqual([oban.config.node, expect.any(String) as string])
  })

  it('discards a job out of attempts, and honours error, cancel and snooze results', async () => {
    const oban = await start()
    const exhausted = saved(await oban.insert(Flaky.new({key: 'b', failures: 10}, {maxAttempts: 1})))
    const [errored, cancelled, snoozed] = await oban.insertAll(
      ['error', 'cancel', 'snooze'].map((outcome) => Outcomes.new({outcome})),
    )
    await eventually(async () => (await readJob(pool, snoozed!.id)).state === 'scheduled', 10_000, 'snoozed')
    await eventually(async () => (await readJob(pool, exhausted.id)).state === 'discarded', 10_000, 'discarded')
    expect(await readJob(pool, errored!.id)).toMatchObject({state: 'retryable', attempt: 1})
    expect(((await readJob(pool, errored!.id)).errors as {error: string}[])[0]!.error).toContain(
      'Test.Outcomes failed with error: bad input',
    )
    expect(await readJob(pool, cancelled!.id)).toMatchObject({state: 'cancelled'})
    expect(await readJob(pool, snoozed!.id)).toMatchObject({state: 'scheduled', attempt: 0, meta: {snoozed: 1}})
  })

  it('fails a job that outlives its timeout, and an unknown worker, without stopping the queue', async () => {
    const oban = await start()
    const slow = saved(await oban.insert(Slow.new({})))
    const unknown = saved(await oban.insert({worker: 'Nobody.Knows', args: {}}))
    const fine = saved(await oban.insert(Outcomes.new({outcome: 'ok'})))
    await eventually(async () => (await readJob(pool, fine.id)).state === 'completed', 10_000, 'queue kept running')
    await eventually(async () => (await readJob(pool, slow.id)).state === 'retryable', 10_000, 'timed out')
    expect(((await readJob(pool, slow.id)).errors as {error: string}[])[0]!.error).toContain(
      'Test.Slow timed out after 100ms',
    )
    await eventually(
      async () => (await readJob(pool, unknown.id)).state === 'retryable',
      10_000,
      'unknown worker failed',
    )
    expect(((await readJob(pool, unknown.id)).errors as {error: string}[])[0]!.error).toContain(
      'unknown worker: Nobody.Knows',
    )
  })

  it('cancels an executing job where it runs (pkill)', async () => {
    const Waits = defineWorker({
      name: 'Test.Waits',
      perform: (_job, {signal}) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
    })
    const oban = await start({workers: [Waits], queues: {waits: 2}})
    const job = saved(await oban.insert(Waits.new({}, {queue: 'waits'})))
    await eventually(() => oban.checkQueue('waits')?.running.includes(job.id) ?? false, 10_000, 'job running')
    const cancelled = await oban.cancelJobs([job.id])
    expect(cancelled).toEqual([{id: job.id, queue: 'waits', previousState: 'executing'}])
    await eventually(() => oban.checkQueue('waits')?.running.length === 0, 10_000, 'job aborted')
    await eventually(
      async () => ((await readJob(pool, job.id)).errors as unknown[]).length === 1,
      10_000,
      'cancel recorded',
    )
    const row = await readJob(pool, job.id)
    expect(row.state).toBe('cancelled')
    expect((row.errors as {error: string}[])[0]!.error).toContain('cancelled while executing')
  })

  it('obeys pause, resume and scale signals, for every node or one', async () => {
    const a = await start({queues: {control: 3}})
    const b = await start({name: 'Other', queues: {control: 3}})
    await a.pauseQueue({queue: 'control'})
    await eventually(() => a.checkQueue('control')!.paused && b.checkQueue('control')!.paused, 5_000, 'both paused')
    await b.resumeQueue({queue: 'control', node: b.config.node})
    await eventually(() => !b.checkQueue('control')!.paused, 5_000, 'b resumed')
    expect(a.checkQueue('control')!.paused).toBe(true)
    await b.scaleQueue({queue: 'control', limit: 9})
    await eventually(
      () => a.checkQueue('control')!.limit === 9 && b.checkQueue('control')!.limit === 9,
      5_000,
      'scaled',
    )
    await a.startQueue({queue: 'extra', limit: 2, localOnly: true})
    await eventually(() => a.checkQueue('extra') !== undefined, 5_000, 'started on a')
    expect(b.checkQueue('extra')).toBeUndefined()
    await a.stopQueue({queue: 'extra'})
    await eventually(() => a.checkQueue('extra') === undefined, 5_000, 'stopped on a')
  })

  it('emits job telemetry and stops idempotently', async () => {
    const events: string[] = []
    attach('oban-test', ['job:start', 'job:stop', 'job:exception'], (event, _m, meta) =>
      events.push(`${event}:${typeof meta.state === 'string' ? meta.state : ''}`),
    )
    try {
      const oban = await start()
      const job = saved(await oban.insert(Outcomes.new({outcome: 'ok'})))
      await eventually(async () => (await readJob(pool, job.id)).state === 'completed', 10_000, 'completed')
      expect(events).toEqual(['job:start:', 'job:stop:success'])
      await Promise.all([oban.stop(), oban.stop()])
      await oban.stop()
      expect(oban.running).toBe(false)
    } finally {
      detach('oban-test')
    }
  })
})

describe('Oban with rows written by other clients', () => {
  it('fails a job whose stored args are not an object, and keeps the queue running', async () => {
    const oban = await start({queues: {odd: 2}})
    const {rows} = await pool.query<{id: string}>(
      `INSERT INTO oban_jobs (worker, queue, args, meta, tags, max_attempts) VALUES
         ('Test.Outcomes', 'odd', '[1, 2]', 'null', NULL, 1),
         ('Test.Outcomes', 'odd', '{"outcome": "ok"}', '{}', '{}', 1) RETURNING id`,
    )
    const [bad, good] = rows.map((r) => Number(r.id)) as [number, number]
    await oban.insert({worker: 'Test.Outcomes', queue: 'odd', args: {outcome: 'ok'}})
    await eventually(async () => (await readJob(pool, good)).state === 'completed', 10_000, 'good job completed')
    await eventually(async () => (await readJob(pool, bad)).state === 'discarded', 10_000, 'bad job discarded')
    expect(((await readJob(pool, bad)).errors as {error: string}[])[0]!.error).toContain(
      'args must be a JSON object, but the stored args are [1,2]',
    )
  })
})
