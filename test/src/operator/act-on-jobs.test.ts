import {beforeEach, describe, expect, it} from 'vitest'
import {fetchJobs} from '../../../src/engine/fetch-jobs.js'
import {findUnrunnableJobs} from '../../../src/engine/unrunnable-jobs.js'
import {actOnJobs} from '../../../src/operator/act-on-jobs.js'
import {JOB_ACTIONS} from '../../../src/operator/bulk-actions.js'
import {runBulkAction} from '../../../src/operator/run-bulk-action.js'
import {JobNotFoundError} from '../../../src/errors.js'
import {insertEveryState, insertJobRows} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {signalListener} from '../../helpers/signal-listener.js'

const {url, pool} = await migratedDatabase('act_on_jobs')
const listener = await signalListener(url, pool)
beforeEach(() => pool.query('TRUNCATE oban_jobs'))

const stateOf = async (id: string) =>
  (await pool.query<{state: string}>('SELECT state FROM oban_jobs WHERE id = $1', [id])).rows[0]?.state ?? 'deleted'
const allStates = async (ids: Record<string, string>): Promise<Record<string, string>> =>
  Object.fromEntries(
    await Promise.all(
      Object.entries(ids).map(async ([name, id]): Promise<[string, string]> => [name, await stateOf(id)]),
    ),
  )

describe('retry', () => {
  it("makes every state but available and executing available, as Oban's retry_all_jobs", async () => {
    const ids = await insertEveryState(pool)
    const result = await actOnJobs({pool, prefix: 'public', action: 'retry', filter: {ids: Object.values(ids)}})
    expect(await allStates(ids)).toEqual({
      available: 'available',
      suspended: 'available',
      scheduled: 'available',
      executing: 'executing',
      retryable: 'available',
      completed: 'available',
      discarded: 'available',
      cancelled: 'available',
    })
    expect(result).toMatchObject({
      action: 'retry',
      matched: 6,
      changed: 6,
      byState: {suspended: 1, scheduled: 1, retryable: 1, completed: 1, discarded: 1, cancelled: 1},
      batches: 1,
      signalled: 0,
      skipped: 0,
      notFound: [],
      notEligible: [
        {id: ids.available, state: 'available'},
        {id: ids.executing, state: 'executing'},
      ],
    })
    expect(result.changedIds).toEqual(
      [ids.suspended, ids.scheduled, ids.retryable, ids.completed, ids.discarded, ids.cancelled].sort(
        (a, b) => Number(a) - Number(b),
      ),
    )
  })

  it('gives spent jobs one more attempt, schedules them now and clears the final timestamps', async () => {
    const [spent, fresh] = await insertJobRows(pool, [
      {state: 'discarded', attempt: 3, maxAttempts: 3, discardedIn: -10, scheduledIn: -100},
      {state: 'completed', attempt: 1, maxAttempts: 5, completedIn: -10, scheduledIn: 3600},
    ])
    await actOnJobs({pool, prefix: 'public', action: 'retry', filter: {ids: [spent!, fresh!]}})
    const {rows} = await pool.query<Record<string, unknown>>(
      `SELECT id, attempt, max_attempts, completed_at, discarded_at, cancelled_at,
              abs(extract(epoch FROM scheduled_at - timezone('UTC', now()))) < 5 AS now_ish
         FROM oban_jobs ORDER BY id`,
    )
    expect(rows.map(({id: _, ...row}) => row)).toEqual([
      {attempt: 3, max_attempts: 4, completed_at: null, discarded_at: null, cancelled_at: null, now_ish: true},
      {attempt: 1, max_attempts: 5, completed_at: null, discarded_at: null, cancelled_at: null, now_ish: true},
    ])
  })
})

describe('retry of jobs that can never run', () => {
  it('retries an available job out of attempts (which no fetch takes), raising max_attempts, and no other available job', async () => {
    const [stuck, runnable] = await insertJobRows(pool, [
      {state: 'available', attempt: 3, maxAttempts: 3, queue: 'spent'},
      {state: 'available', attempt: 0, maxAttempts: 3, queue: 'spent'},
    ])
    expect(await findUnrunnableJobs(pool, 'public')).toEqual([
      {queue: 'spent', state: 'available', count: 1, ids: [stuck]},
    ])
    expect(await fetchJobs(pool, 'public', {queue: 'spent', demand: 5, node: 'n', producerUuid: 'u'})).toHaveLength(1)

    const previews: unknown[] = []
    const result = await actOnJobs({
      pool,
      prefix: 'public',
      action: 'retry',
      filter: {queues: ['spent']},
      confirm: async (preview) => {
        previews.push(preview)
        return true
      },
    })
    expect(previews).toEqual([{action: 'retry', total: 1, byState: {available: 1}}])
    expect(result).toMatchObject({matched: 1, changed: 1, byState: {available: 1}})
    expect(await findUnrunnableJobs(pool, 'public')).toEqual([])
    const {rows} = await pool.query<{attempt: number; max_attempts: number}>(
      'SELECT attempt, max_attempts FROM oban_jobs WHERE id = $1',
      [stuck],
    )
    expect(rows).toEqual([{attempt: 3, max_attempts: 4}])
    // It runs now.
    const fetched = await fetchJobs(pool, 'public', {queue: 'spent', demand: 5, node: 'n', producerUuid: 'u'})
    expect(fetched.map((job) => job.id)).toEqual([stuck])
    expect(await stateOf(runnable!)).toBe('executing')
  })

  it('says an explicit available job with attempts left is not eligible', async () => {
    const [runnable] = await insertJobRows(pool, [{state: 'available', attempt: 0, maxAttempts: 3}])
    const result = await actOnJobs({pool, prefix: 'public', action: 'retry', filter: {ids: [runnable!]}})
    expect(result).toMatchObject({matched: 0, changed: 0, notEligible: [{id: runnable, state: 'available'}]})
  })
})

describe('cancel', () => {
  it('cancels every non-final job and sends pkill for the executing one only', async () => {
    const ids = await insertEveryState(pool)
    let result: Awaited<ReturnType<typeof actOnJobs>> | undefined
    const sent = await listener.collect(
      async () =>
        (result = await actOnJobs({pool, prefix: 'public', action: 'cancel', filter: {ids: Object.values(ids)}})),
    )
    expect(await allStates(ids)).toEqual({
      available: 'cancelled',
      suspended: 'cancelled',
      scheduled: 'cancelled',
      executing: 'cancelled',
      retryable: 'cancelled',
      completed: 'completed',
      discarded: 'discarded',
      cancelled: 'cancelled',
    })
    expect(sent).toEqual([{channel: 'public.oban_signal', payload: {action: 'pkill', job_id: Number(ids.executing)}}])
    expect(result).toMatchObject({
      changed: 5,
      signalled: 1,
      notEligible: [{state: 'completed'}, {state: 'discarded'}, {state: 'cancelled'}],
    })
  })
})

describe('delete', () => {
  it('deletes every job except an executing one', async () => {
    const ids = await insertEveryState(pool)
    const result = await actOnJobs({pool, prefix: 'public', action: 'delete', filter: {ids: Object.values(ids)}})
    const states = await allStates(ids)
    expect(states.executing).toBe('executing')
    expect(Object.entries(states).filter(([, s]) => s !== 'deleted')).toEqual([['executing', 'executing']])
    expect(result).toMatchObject({changed: 7, notEligible: [{id: ids.executing, state: 'executing'}]})
  })
})

describe('filters, confirmation and unknown ids', () => {
  it('acts on the jobs matching a filter only, asking first with the counts', async () => {
    const ids = await insertEveryState(pool)
    const previews: unknown[] = []
    const result = await actOnJobs({
      pool,
      prefix: 'public',
      action: 'retry',
      filter: {queues: ['default'], tags: ['nightly']},
      confirm: async (preview) => (previews.push(preview), true),
    })
    expect(previews).toEqual([{action: 'retry', total: 2, byState: {scheduled: 1, cancelled: 1}}])
    expect(result).toMatchObject({matched: 2, changed: 2, changedIds: null, notFound: [], notEligible: []})
    expect(await allStates({s: ids.scheduled!, c: ids.cancelled!, d: ids.discarded!})).toEqual({
      s: 'available',
      c: 'available',
      d: 'discarded',
    })
  })

  it('changes nothing when the confirmation is declined, and asks nothing when nothing matches', async () => {
    const ids = await insertEveryState(pool)
    const declined = await actOnJobs({pool, prefix: 'public', action: 'delete', filter: {}, confirm: async () => false})
    expect(declined).toMatchObject({aborted: true, matched: 7, changed: 0})
    expect(Object.values(await allStates(ids))).not.toContain('deleted')
    const none = await actOnJobs({
      pool,
      prefix: 'public',
      action: 'retry',
      filter: {argsContain: {account: 404}},
      confirm: () => Promise.reject(new Error('must not ask')),
    })
    expect(none).toMatchObject({matched: 0, changed: 0, aborted: false})
  })

  it('acts on the ids that exist, then reports the others as not found', async () => {
    const [id] = await insertJobRows(pool, [{state: 'discarded'}])
    const error = await actOnJobs({
      pool,
      prefix: 'public',
      action: 'retry',
      filter: {ids: [id!, '999998', '999999']},
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JobNotFoundError)
    expect((error as JobNotFoundError).message).toBe('no jobs with ids 999998, 999999')
    expect((error as JobNotFoundError).result).toMatchObject({
      changed: 1,
      changedIds: [id],
      notFound: ['999998', '999999'],
    })
    expect(await stateOf(id!)).toBe('available')
  })
})

describe('batches', () => {
  it('works through the jobs in batches by id, one transaction each', async () => {
    await pool.query(`INSERT INTO oban_jobs (worker, state) SELECT 'W', 'discarded' FROM generate_series(1, 25)`)
    const progress: number[] = []
    const result = await actOnJobs({
      pool,
      prefix: 'public',
      action: 'retry',
      filter: {states: ['discarded']},
      batchSize: 10,
      onProgress: (done, total) => progress.push(done, total),
    })
    expect(result).toMatchObject({changed: 25, batches: 3})
    expect(progress).toEqual([10, 25, 20, 25, 25, 25])
  })

  it('skips jobs another transaction holds locked, retries them, and reports those still locked', async () => {
    const ids = await insertJobRows(pool, [{state: 'retryable'}, {state: 'retryable'}, {state: 'retryable'}])
    const holder = await pool.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('SELECT id FROM oban_jobs WHERE id = $1 FOR UPDATE', [ids[1]])
      const held = await runBulkAction({pool, prefix: 'public', action: JOB_ACTIONS.retry, filter: {}, batchSize: 2})
      expect(held).toMatchObject({changed: 2, skipped: 1, skippedIds: [ids[1]]})
      expect(await stateOf(ids[1]!)).toBe('retryable')

      // Released during the retry passes: picked up after all.
      await pool.query(`UPDATE oban_jobs SET state = 'retryable' WHERE id <> $1`, [ids[1]])
      const later = runBulkAction({pool, prefix: 'public', action: JOB_ACTIONS.retry, filter: {}})
      // A head start, not a condition: committing before its first sweep only makes that sweep
      // find nothing locked, which passes too; awaiting the sweep would instead race its retry
      // passes (300 ms in all) on a loaded machine.
      await new Promise((resolve) => setTimeout(resolve, 150))
      await holder.query('COMMIT')
      expect(await later).toMatchObject({changed: 3, skipped: 0})
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined)
      holder.release()
    }
  })
})
