import {afterAll, beforeEach, describe, expect, it} from 'vitest'
import {
  Oban,
  cancelJobs,
  deleteJobs,
  getJob,
  InvalidJobIdError,
  JobFilterError,
  listJobs,
  migrateDown,
  migrateUp,
  migrationStatus,
  retryJobs,
  SchemaNotMigratedError,
  type Job,
} from '../../../src/index.js'
import {insertJobRows} from '../../helpers/job-rows.js'
import {migratedDatabase, readJob} from '../../helpers/oban-db.js'

// The library's job operations, as an application calls them (imported from the package's
// entry point), against a real database: through a pool it owns and through a URL.
const {url, pool} = await migratedDatabase('job_operations')
const target = {pool}
beforeEach(() => pool.query('TRUNCATE oban_jobs'))

const stateOf = async (id: string) => ((await readJob(pool, id)) as {state: string} | undefined)?.state ?? 'deleted'

describe('getJob', () => {
  it('reads one job by an id given as a string, number or bigint, through a pool or a URL', async () => {
    const [id] = await insertJobRows(pool, [{state: 'retryable', worker: 'App.Sync', args: {n: 1}}])
    for (const given of [id!, Number(id), BigInt(id!)]) {
      expect(await getJob(target, given)).toMatchObject({id, state: 'retryable', worker: 'App.Sync', args: {n: 1}})
    }
    expect((await getJob({databaseUrl: url}, id!))?.id).toBe(id)
    expect(await getJob(target, '999999')).toBeUndefined()
    await expect(getJob(target, 'abc')).rejects.toThrow(InvalidJobIdError)
    await expect(getJob({databaseUrl: url, prefix: 'nowhere'}, 1)).rejects.toThrow(SchemaNotMigratedError)
  })
})

describe('listJobs', () => {
  it('filters as oban job list does, newest first by default', async () => {
    const ids = await insertJobRows(pool, [
      {state: 'available', queue: 'mail', worker: 'App.Mail', tags: ['a'], args: {to: 'x'}},
      {state: 'retryable', queue: 'mail', worker: 'App.Mail', args: {to: 'y'}, meta: {source: 'api'}},
      {state: 'completed', queue: 'sync', worker: 'App.Sync', tags: ['a', 'b']},
    ])
    const idsOf = async (options: Parameters<typeof listJobs>[1]) =>
      (await listJobs(target, options)).jobs.map((job: Job) => job.id)
    expect(await idsOf({})).toEqual([...ids].reverse())
    expect(await idsOf({queues: ['mail']})).toEqual([ids[1], ids[0]])
    expect(await idsOf({states: ['retryable', 'completed']})).toEqual([ids[2], ids[1]])
    expect(await idsOf({workers: ['App.Sync']})).toEqual([ids[2]])
    expect(await idsOf({tags: ['a'], order: {field: 'id', direction: 'asc'}})).toEqual([ids[0], ids[2]])
    expect(await idsOf({argsContain: {to: 'y'}})).toEqual([ids[1]])
    expect(await idsOf({metaContains: {source: 'api'}})).toEqual([ids[1]])
    expect(await idsOf({ids: [ids[0]!, Number(ids[2])]})).toEqual([ids[2], ids[0]])
    await expect(listJobs(target, {states: ['nope' as 'available']})).rejects.toThrow(JobFilterError)
    await expect(listJobs(target, {limit: 0})).rejects.toThrow(JobFilterError)
  })

  it('pages through a table with a keyset cursor: every job once, in order, ending with a null cursor', async () => {
    await pool.query(`INSERT INTO oban_jobs (worker, queue, scheduled_at)
      SELECT 'App.Page', 'pages', timezone('UTC', now()) - make_interval(secs => (g % 7))
        FROM generate_series(1, 45) AS g`)
    for (const order of [
      {field: 'id', direction: 'desc'},
      {field: 'scheduled_at', direction: 'asc'},
      {field: 'attempted_at', direction: 'desc'},
    ] as const) {
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: Awaited<ReturnType<typeof listJobs>> = await listJobs(
          {databaseUrl: url},
          {order, limit: 10, cursor},
        )
        seen.push(...page.jobs.map((job) => job.id))
        cursor = page.nextCursor
        pages++
      } while (cursor !== null && pages < 20)
      expect(pages, order.field).toBe(5)
      expect(new Set(seen).size).toBe(45)
      const {rows} = await pool.query<{ref: string}>(
        `SELECT id::text AS ref FROM oban_jobs ORDER BY ${order.field} ${order.direction} NULLS LAST, id ${order.direction}`,
      )
      expect(seen).toEqual(rows.map((row) => row.ref))
    }
    const first = await listJobs(target, {limit: 10})
    await expect(
      listJobs(target, {limit: 10, cursor: first.nextCursor, order: {field: 'scheduled_at', direction: 'asc'}}),
    ).rejects.toThrow(/the cursor belongs to a listing ordered by id desc/)
    await expect(listJobs(target, {cursor: 'garbage'})).rejects.toThrow(JobFilterError)
  })
})

describe('retryJobs, cancelJobs, deleteJobs', () => {
  it('act on one id, many ids, a filter or every job, in batches, and return counts', async () => {
    const ids = await insertJobRows(pool, [
      {state: 'discarded', queue: 'a'},
      {state: 'discarded', queue: 'a'},
      {state: 'cancelled', queue: 'b'},
      {state: 'completed', queue: 'b'},
      {state: 'available', queue: 'b'},
    ])
    // One id, as a number.
    expect(await retryJobs(target, Number(ids[0]))).toMatchObject({changed: 1, changedIds: [ids[0]], notFound: []})
    // Many ids: one does not exist, one is not eligible; neither throws.
    expect(await retryJobs(target, [ids[1]!, ids[4]!, '999999'])).toMatchObject({
      changed: 1,
      changedIds: [ids[1]],
      notFound: ['999999'],
      notEligible: [{id: ids[4], state: 'available'}],
    })
    // A filter, in batches of one.
    const byFilter = await retryJobs(target, {queues: ['b'], states: ['cancelled', 'completed']}, {batchSize: 1})
    expect(byFilter).toMatchObject({matched: 2, changed: 2, batches: 2, byState: {cancelled: 1, completed: 1}})
    expect(await Promise.all(ids.map(stateOf))).toEqual([
      'available',
      'available',
      'available',
      'available',
      'available',
    ])

    const progress: number[] = []
    const cancelled = await cancelJobs({databaseUrl: url}, {queues: ['a']}, {onProgress: (n) => progress.push(n)})
    expect(cancelled).toMatchObject({changed: 2, changedIds: null, byState: {available: 2}})
    expect(progress).toEqual([2])
    expect(await deleteJobs(target, {all: true})).toMatchObject({matched: 5, changed: 5})
    expect(await Promise.all(ids.map(stateOf))).toEqual(ids.map(() => 'deleted'))
  })

  it('refuse selections that would silently mean every job, and bad ids, before connecting', async () => {
    const nowhere = {databaseUrl: 'postgres://nobody@127.0.0.1:1/none'}
    await expect(retryJobs(nowhere, {})).rejects.toThrow(/an empty filter would select every job: pass \{all: true\}/)
    await expect(cancelJobs(nowhere, [])).rejects.toThrow(JobFilterError)
    await expect(deleteJobs(nowhere, {all: true, queues: ['a']} as never)).rejects.toThrow(JobFilterError)
    await expect(deleteJobs(nowhere, ['1', '-2'])).rejects.toThrow(InvalidJobIdError)
  })

  it('ask first when given confirm, and change nothing on a no', async () => {
    const [id] = await insertJobRows(pool, [{state: 'discarded'}])
    const previews: unknown[] = []
    const result = await deleteJobs(
      target,
      {states: ['discarded']},
      {
        confirm: (preview) => {
          previews.push(preview)
          return Promise.resolve(false)
        },
      },
    )
    expect(previews).toEqual([{action: 'delete', total: 1, byState: {discarded: 1}}])
    expect(result).toMatchObject({aborted: true, changed: 0})
    expect(await stateOf(id!)).toBe('discarded')
  })
})

describe('migrateUp, migrationStatus, migrateDown', () => {
  it('create, report and drop a schema by URL', async () => {
    const other = {databaseUrl: url, prefix: 'ops_schema'}
    expect(await migrationStatus(other)).toMatchObject([{prefix: 'ops_schema', version: 0, upToDate: false}])
    expect(await migrateUp(other)).toMatchObject({prefix: 'ops_schema', from: 0, to: 14})
    expect(await migrationStatus(other)).toMatchObject([{prefix: 'ops_schema', version: 14, upToDate: true}])
    const all = await migrationStatus({pool}, {allSchemas: true})
    expect(all.map((status) => status.prefix).sort()).toEqual(['ops_schema', 'public'])
    const plans: unknown[] = []
    expect(
      await migrateDown(other, {
        to: 0,
        confirm: (plan) => {
          plans.push(plan)
          return Promise.resolve(true)
        },
      }),
    ).toMatchObject({from: 14, to: 0})
    expect(plans).toHaveLength(1)
    expect(await migrationStatus(other)).toMatchObject([{version: 0}])
  })
})

describe('Oban#getJob and Oban#listJobs', () => {
  const instances: Oban[] = []
  afterAll(() => Promise.all(instances.map((oban) => oban.stop())))

  it('read the instance’s own schema', async () => {
    const oban = new Oban({databaseUrl: url, logLevel: 'silent', queues: {}, plugins: false})
    instances.push(oban)
    await oban.start()
    const [a, b] = await insertJobRows(pool, [{state: 'scheduled'}, {state: 'completed'}])
    expect((await oban.getJob(a!))?.state).toBe('scheduled')
    const page = await oban.listJobs({limit: 1})
    expect(page.jobs.map((job) => job.id)).toEqual([b])
    expect((await oban.listJobs({limit: 1, cursor: page.nextCursor})).jobs.map((job) => job.id)).toEqual([a])
  })
})
