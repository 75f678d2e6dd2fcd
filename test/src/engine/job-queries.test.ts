import {beforeAll, describe, expect, it} from 'vitest'
import type {Queryable} from '../../../src/db/pool.js'
import {countJobsByState} from '../../../src/engine/count-jobs.js'
import {findUnrunnableJobs} from '../../../src/engine/unrunnable-jobs.js'
import {getJob} from '../../../src/engine/get-job.js'
import {listJobs} from '../../../src/engine/list-jobs.js'
import {queueLatencies} from '../../../src/engine/queue-latency.js'
import {DEFAULT_JOB_ORDER} from '../../../src/job/filter.js'
import {queueOverview} from '../../../src/operator/queue-overview.js'
import {insertEveryState, insertJobRows} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

const {pool} = await migratedDatabase('job_queries', 'private')
const prefix = 'private'
let ids: Record<string, string>
beforeAll(async () => {
  ids = await insertEveryState(pool, prefix)
})

const list = (filter: Parameters<typeof listJobs>[2], order = DEFAULT_JOB_ORDER, limit = 100) =>
  listJobs(pool, prefix, filter, {order, limit}).then(({jobs}) => jobs.map((job) => job.id))

describe('listJobs', () => {
  it('lists every job newest first, up to the limit', async () => {
    const all = Object.values(ids).sort((a, b) => Number(b) - Number(a))
    expect(await list({})).toEqual(all)
    expect(await list({}, DEFAULT_JOB_ORDER, 3)).toEqual(all.slice(0, 3))
  })

  it('combines filters with AND and the values of one filter with OR', async () => {
    expect(await list({states: ['retryable', 'discarded']})).toEqual([ids.discarded, ids.retryable])
    expect(await list({queues: ['mailers'], states: ['available', 'executing', 'retryable']})).toEqual([
      ids.executing,
      ids.available,
    ])
    expect(await list({workers: ['MyApp.Report'], tags: ['nightly', 'other']})).toEqual([ids.cancelled, ids.scheduled])
    expect(await list({argsContain: {account: 7}})).toEqual([ids.retryable])
    expect(await list({metaContains: {source: 'api'}})).toEqual([ids.retryable])
    expect(await list({ids: [ids.completed!, '999999']})).toEqual([ids.completed])
    expect(await list({argsContain: {account: 7}, queues: ['mailers']})).toEqual([])
  })

  it('sorts by a timestamp either way, never-attempted jobs last, ties by id', async () => {
    const attempted = await list({}, {field: 'attempted_at', direction: 'asc'})
    expect(attempted.slice(0, 4)).toEqual([ids.discarded, ids.completed, ids.retryable, ids.executing])
    const desc = await list({}, {field: 'attempted_at', direction: 'desc'})
    expect(desc.slice(0, 4)).toEqual([ids.executing, ids.retryable, ids.completed, ids.discarded])
    expect(desc.slice(4)).toEqual(
      [ids.cancelled, ids.scheduled, ids.suspended, ids.available].sort((a, b) => Number(b) - Number(a)),
    )
    const scheduled = await list({}, {field: 'scheduled_at', direction: 'desc'}, 2)
    expect(scheduled).toEqual([ids.scheduled, ids.retryable])
  })
})

describe('getJob', () => {
  it('reads every field of a job, or undefined', async () => {
    const job = await getJob(pool, prefix, ids.retryable!)
    expect(job).toMatchObject({
      id: ids.retryable,
      state: 'retryable',
      queue: 'default',
      worker: 'MyApp.Sync',
      args: {account: 7},
      meta: {source: 'api'},
      attempt: 2,
      errors: [
        {attempt: 1, error: 'Error: timeout\n    at sync (sync.ts:1:1)'},
        {attempt: 2, error: 'Error: refused'},
      ],
    })
    expect(await getJob(pool, prefix, '999999')).toBeUndefined()
  })
})

describe('countJobsByState', () => {
  it('counts the matching jobs in the given states, per state', async () => {
    expect(await countJobsByState(pool, prefix, {}, ['retryable', 'discarded', 'executing'])).toEqual({
      retryable: 1,
      discarded: 1,
      executing: 1,
    })
    expect(await countJobsByState(pool, prefix, {queues: ['mailers']}, ['completed', 'discarded'])).toEqual({
      completed: 1,
    })
  })
})

describe('queueOverview', () => {
  it('counts unfinished jobs per queue and measures how long the oldest available job has waited', async () => {
    await insertJobRows(
      pool,
      [
        {state: 'available', queue: 'mailers', priority: 3, scheduledIn: -90},
        {state: 'available', queue: 'mailers', priority: 0, scheduledIn: -10},
      ],
      prefix,
    )
    const queues = await queueOverview(pool, prefix)
    expect(queues.map(({oldestAvailableAt: _, latencyMs: __, nodes: ___, ...counts}) => counts)).toEqual([
      {queue: 'default', available: 0, scheduled: 1, executing: 0, retryable: 1, unrunnable: []},
      {queue: 'mailers', available: 3, scheduled: 0, executing: 1, retryable: 0, unrunnable: []},
    ])
    expect(queues[0]).toMatchObject({oldestAvailableAt: null, latencyMs: null, nodes: []})
    // The oldest is the priority-3 job: the latency looks past priorities.
    expect(queues[1]!.latencyMs).toBeGreaterThanOrEqual(89_000)
    expect(queues[1]!.latencyMs).toBeLessThan(120_000)
    expect(Date.now() - Date.parse(queues[1]!.oldestAvailableAt!)).toBeGreaterThanOrEqual(89_000)
  })

  it('finds the oldest available job through the fetch index, without reading the table', async () => {
    await pool.query(
      `INSERT INTO "private".oban_jobs (worker, queue, state, priority, scheduled_at)
       SELECT 'W', 'big' || (i % 3), (ARRAY['available', 'completed', 'completed', 'completed'])[1 + i % 4]::"private".oban_job_state,
              i % 4, timezone('UTC', now()) - make_interval(secs => i % 1000)
         FROM generate_series(1, 50000) AS i`,
    )
    await pool.query('ANALYZE "private".oban_jobs')
    const plans: string[] = []
    const explaining: Queryable = {
      query: (async (text: string, values?: unknown[]) => {
        const {rows} = await pool.query<{'QUERY PLAN': string}>(`EXPLAIN ${text}`, values)
        plans.push(rows.map((row) => row['QUERY PLAN']).join('\n'))
        return {rows: []}
      }) as unknown as Queryable['query'],
    }
    await queueLatencies(explaining, prefix)
    expect(plans[0]).toContain('oban_jobs_state_queue_priority_scheduled_at_id_index')
    expect(plans[0]).not.toContain('Seq Scan')
    const latencies = await queueLatencies(pool, prefix)
    expect(latencies.map((l) => l.queue)).toEqual(['big0', 'big1', 'big2', 'mailers'])
    expect(latencies[0]!.latencyMs).toBeGreaterThanOrEqual(990_000)
  })
})

describe('findUnrunnableJobs', () => {
  it('counts and names waiting jobs out of attempts, per queue and state', async () => {
    const [a1, a2, a3, scheduled, retryable] = await insertJobRows(
      pool,
      [
        {queue: 'stuck-a', state: 'available', attempt: 5, maxAttempts: 5},
        {queue: 'stuck-a', state: 'available', attempt: 2, maxAttempts: 2},
        {queue: 'stuck-a', state: 'available', attempt: 1, maxAttempts: 1},
        {queue: 'stuck-b', state: 'scheduled', attempt: 2, maxAttempts: 2, scheduledIn: 60},
        {queue: 'stuck-b', state: 'retryable', attempt: 1, maxAttempts: 1, scheduledIn: 60},
        // Not stuck: attempts left, or not waiting.
        {queue: 'stuck-a', state: 'available', attempt: 4, maxAttempts: 5},
        {queue: 'stuck-a', state: 'discarded', attempt: 5, maxAttempts: 5},
        {queue: 'stuck-a', state: 'executing', attempt: 5, maxAttempts: 5},
      ],
      prefix,
    )
    const found = await findUnrunnableJobs(pool, prefix, {queues: ['stuck-a', 'stuck-b'], sample: 2})
    expect(found).toEqual([
      {queue: 'stuck-a', state: 'available', count: 3, ids: [a1, a2]},
      {queue: 'stuck-b', state: 'scheduled', count: 1, ids: [scheduled]},
      {queue: 'stuck-b', state: 'retryable', count: 1, ids: [retryable]},
    ])
    expect(Number(a3)).toBeGreaterThan(Number(a2))
    expect(await findUnrunnableJobs(pool, prefix, {queues: ['stuck-b']})).toHaveLength(2)
    expect(await findUnrunnableJobs(pool, prefix, {queues: ['nowhere']})).toEqual([])
    // The bulk actions' count: a retry also counts the available ones out of attempts.
    expect(await countJobsByState(pool, prefix, {queues: ['stuck-a']}, ['discarded'], ['available'])).toEqual({
      available: 3,
      discarded: 1,
    })
  })
})
