import {AssertionError} from 'node:assert'
import {afterAll, beforeEach, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {ObanClient} from '../../../src/client/oban-client.js'
import {JobValidationError} from '../../../src/errors.js'
import {cancel, error, snooze} from '../../../src/job/result.js'
import {defineWorker} from '../../../src/job/worker.js'
import {obanTesting, performJob} from '../../../src/testing/index.js'
import {createTestDatabase} from '../../helpers/db.js'

const url = await createTestDatabase('testing_helpers')
const pool: Pool = createPool(url, {max: 3})
afterAll(() => pool.end())
await migrateUp(pool, {prefix: 'public'})

type Args = {outcome: 'ok' | 'error' | 'cancel' | 'snooze' | 'throw' | 'spawn'; to?: string; at?: string}
const Outcome = defineWorker<Args>({
  name: 'Test.Outcome',
  queue: 'work',
  maxAttempts: 2,
  async perform(job) {
    const {outcome} = job.args
    if (outcome === 'error') return error('nope')
    if (outcome === 'cancel') return cancel('stop')
    if (outcome === 'snooze') return snooze(60)
    if (outcome === 'throw') throw new Error('boom')
    if (outcome === 'spawn') await client.insert(Outcome.new({outcome: 'ok', to: 'child'}))
    return undefined
  },
})
const client = new ObanClient({pool})
const testing = obanTesting({db: pool, workers: [Outcome]})

beforeEach(async () => {
  await pool.query('TRUNCATE oban_jobs')
})

describe('performJob', () => {
  it('runs perform on a job built as an insert builds it and returns the outcome', async () => {
    expect(await performJob(Outcome, {outcome: 'ok'})).toMatchObject({kind: 'ok'})
    expect(await performJob(Outcome, {outcome: 'error'})).toMatchObject({kind: 'error', reason: 'nope'})
    expect(await performJob(Outcome, {outcome: 'cancel'})).toMatchObject({kind: 'cancel', reason: 'stop'})
    expect(await performJob(Outcome, {outcome: 'snooze'})).toMatchObject({kind: 'snooze', seconds: 60})
    await expect(performJob(Outcome, {outcome: 'throw'})).rejects.toThrow('boom')
    // Options are checked as on insert.
    await expect(performJob(Outcome, {outcome: 'ok'}, {priority: 12})).rejects.toThrow(JobValidationError)
    // Args go through JSON, as a worker reads them back from the database.
    const Echo = defineWorker<{at: unknown}>({
      name: 'Test.Echo',
      perform: (job) => (typeof job.args.at === 'string' && job.attempt === 3 ? undefined : error('not json')),
    })
    expect(await performJob(Echo, {at: new Date(0)}, {attempt: 3})).toMatchObject({kind: 'ok'})
  })
})

describe('drainQueue', () => {
  it('runs available jobs in the caller and counts their outcomes', async () => {
    await client.insertAll(
      (['ok', 'ok', 'error', 'cancel', 'snooze', 'throw'] as const).map((outcome) => Outcome.new({outcome})),
    )
    await client.insert(Outcome.new({outcome: 'ok'}, {scheduleIn: 3600}))
    expect(await testing.drainQueue({queue: 'work'})).toEqual({
      success: 2,
      failure: 2,
      cancelled: 1,
      snoozed: 1,
      discard: 0,
    })
    const {rows} = await pool.query<{state: string; n: number}>(
      'SELECT state::text, count(*)::int AS n FROM oban_jobs GROUP BY state ORDER BY state',
    )
    expect(rows).toEqual([
      {state: 'cancelled', n: 1},
      {state: 'completed', n: 2},
      {state: 'retryable', n: 2},
      {state: 'scheduled', n: 2},
    ])
  })

  it('stages scheduled and retryable jobs with withScheduled, recurses, limits and can rethrow', async () => {
    await client.insert(Outcome.new({outcome: 'spawn'}, {scheduleIn: 3600}))
    await client.insert(Outcome.new({outcome: 'error'}))
    expect(await testing.drainQueue({queue: 'work', withScheduled: new Date(Date.now() + 60_000)})).toMatchObject({
      success: 0,
      failure: 1,
    })
    // Everything scheduled, again and again: the spawned child runs, the failing job is retried until discarded.
    expect(await testing.drainQueue({queue: 'work', withScheduled: true, withRecursion: true})).toEqual({
      success: 2,
      failure: 0,
      cancelled: 0,
      snoozed: 0,
      discard: 1,
    })
    await client.insertAll([Outcome.new({outcome: 'ok'}), Outcome.new({outcome: 'ok'}), Outcome.new({outcome: 'ok'})])
    expect(await testing.drainQueue({queue: 'work', withLimit: 2})).toMatchObject({success: 2})
    await client.insert(Outcome.new({outcome: 'throw'}))
    await expect(testing.drainQueue({queue: 'work', withSafety: false})).rejects.toThrow('boom')
  })
})

describe('assertEnqueued, refuteEnqueued, allEnqueued', () => {
  it('match args and meta partially and list the candidates when nothing matches', async () => {
    await client.insert(Outcome.new({outcome: 'ok', to: 'a@x'}, {meta: {tenant: {id: 7, name: 'acme'}}, tags: ['t']}))
    await testing.assertEnqueued({worker: Outcome, args: {to: 'a@x'}})
    await testing.assertEnqueued({worker: 'Test.Outcome', queue: 'work', meta: {tenant: {id: 7}}, tags: ['t']})
    await testing.refuteEnqueued({worker: Outcome, args: {to: 'b@x'}})
    expect((await testing.allEnqueued({worker: Outcome})).map((job) => job.args)).toEqual([{outcome: 'ok', to: 'a@x'}])
    const failure = await testing.assertEnqueued({worker: Outcome, args: {to: 'b@x'}}).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(AssertionError)
    expect((failure as AssertionError).message).toMatch(
      /^expected a job matching \{"worker":"Test.Outcome","args":\{"to":"b@x"\}\} to be enqueued; enqueued instead:\n {2}#\d+ Test.Outcome queue=work state=available args=\{"to":"a@x","outcome":"ok"\} meta=\{"tenant":\{"id":7,"name":"acme"\}\}$/,
    )
    expect(failure).toMatchObject({
      expected: {worker: 'Test.Outcome', args: {to: 'b@x'}},
      actual: {worker: 'Test.Outcome', args: {outcome: 'ok', to: 'a@x'}},
    })
    await expect(testing.refuteEnqueued({args: {to: 'a@x'}})).rejects.toThrow(/expected no job matching/)
    await expect(testing.assertEnqueued({worker: 'Test.None'})).rejects.toThrow(/no Test.None job is enqueued$/)
  })

  it('waits up to timeout for a job to appear', async () => {
    const later = new Promise<void>((resolve) =>
      setImmediate(() => void client.insert(Outcome.new({outcome: 'ok', to: 'late'})).then(() => resolve())),
    )
    await testing.assertEnqueued({args: {to: 'late'}, timeout: 10_000})
    await later
    await expect(testing.refuteEnqueued({args: {to: 'late'}, timeout: 50})).rejects.toThrow(AssertionError)
  })
})

describe("ObanClient's testing modes", () => {
  it('inline runs the job at once in the caller, without a database', async () => {
    const inline = new ObanClient({testing: 'inline', workers: [Outcome]})
    expect((await inline.insert(Outcome.new({outcome: 'ok'}))).job).toMatchObject({state: 'completed', attempt: 1})
    expect((await inline.insert(Outcome.new({outcome: 'error'}))).job).toMatchObject({
      state: 'retryable',
      errors: [expect.objectContaining({attempt: 1}) as unknown],
    })
    expect((await inline.insert(Outcome.new({outcome: 'cancel'}))).job.state).toBe('cancelled')
    const jobs = await inline.insertAll([Outcome.new({outcome: 'snooze'}), Outcome.new({outcome: 'throw'})])
    expect(jobs.map((job) => job.state)).toEqual(['scheduled', 'retryable'])
    await expect(inline.insert(Outcome.new({outcome: 'ok'}, {priority: 12}))).rejects.toThrow(JobValidationError)
    await inline.close()
    expect((await pool.query('SELECT 1 FROM oban_jobs')).rowCount).toBe(0)
  })
})
