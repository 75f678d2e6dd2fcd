import {afterAll, beforeEach, describe, expect, it} from 'vitest'
import {createPool, type Pool, type PoolClient} from '../../../src/db/pool.js'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {JobValidationError} from '../../../src/errors.js'
import {insertAllJobs, PIPELINE_CHUNK} from '../../../src/client/insert-all.js'
import {insertJob, type InsertContext} from '../../../src/client/insert.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../../../src/job/job.js'
import type {JobSpec} from '../../../src/job/spec.js'
import {attach, detach} from '../../../src/telemetry/telemetry.js'
import {defineWorker} from '../../../src/job/worker.js'
import {createTestDatabase} from '../../helpers/db.js'
import {insertListener} from '../../helpers/insert-listener.js'

const url = await createTestDatabase('insert')
const pool: Pool = createPool(url, {max: 5})
afterAll(() => pool.end())
await migrateUp(pool, {prefix: 'public'})
const ctx: InsertContext = {pool, prefix: 'public', insertTrigger: true}
const listener = await insertListener(url, pool)

beforeEach(async () => {
  await pool.query('TRUNCATE oban_jobs')
})

async function stored(): Promise<Job[]> {
  const {rows} = await pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM oban_jobs ORDER BY id`)
  return rows.map(rowToJob)
}

async function withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    return await fn(client)
  } finally {
    client.release()
  }
}

describe('insertJob', () => {
  it("uses Oban's defaults and returns the stored job", async () => {
    const {job, conflict, locked} = await insertJob(ctx, {worker: 'MyApp.Worker'})
    expect({conflict, locked}).toEqual({conflict: false, locked: false})
    expect(job).toMatchObject({
      state: 'available',
      queue: 'default',
      worker: 'MyApp.Worker',
      args: {},
      meta: {},
      tags: [],
      errors: [],
      attempt: 0,
      priority: 0,
      maxAttempts: 20,
      attemptedAt: null,
      attemptedBy: null,
    })
    expect(job.scheduledAt).toEqual(job.insertedAt)
    expect(Math.abs((job.insertedAt as Date).getTime() - Date.now())).toBeLessThan(5000)
    expect(await stored()).toEqual([job])
  })

  it('stores a scheduled job for scheduleIn, and normalised tags', async () => {
    const before = Date.now()
    const {job} = await insertJob(ctx, {worker: 'W', scheduleIn: '1m', tags: [' Urgent', 'urgent', 'Mail', '']})
    expect(job.state).toBe('scheduled')
    expect((job.scheduledAt as Date).getTime()).toBeGreaterThanOrEqual(before + 60_000)
    expect((job.scheduledAt as Date).getTime()).toBeLessThan(Date.now() + 60_000)
    expect(job.tags).toEqual(['urgent', 'mail'])
    expect((await stored())[0]).toEqual(job)
  })

  it('returns what is stored whichever single option leaves the table defaults (each one read back)', async () => {
    const at = new Date(Date.now() + 3_600_000)
    const specs: JobSpec[] = [
      {worker: 'W', args: {plain: true}},
      {worker: 'W', queue: 'other'},
      {worker: 'W', priority: 4},
      {worker: 'W', maxAttempts: 3},
      {worker: 'W', tags: ['t']},
      {worker: 'W', meta: {m: 1}},
      {worker: 'W', scheduledAt: at},
      {worker: 'W', scheduleIn: 90},
    ]
    const jobs: Job[] = []
    for (const spec of specs) jobs.push((await insertJob(ctx, spec)).job as Job)
    expect(await stored()).toEqual(jobs)
    expect(jobs[0]!.scheduledAt).not.toBe(jobs[0]!.insertedAt)
  })

  it('accepts a worker-built spec', async () => {
    const Email = defineWorker<{id: number}>({name: 'MyApp.Email', queue: 'mailers', maxAttempts: 3, perform: () => {}})
    const {job} = await insertJob(ctx, Email.new({id: 1}, {priority: 2}))
    expect(job).toMatchObject({worker: 'MyApp.Email', queue: 'mailers', maxAttempts: 3, priority: 2, args: {id: 1}})
  })

  it('rejects an invalid spec before touching the database', async () => {
    await expect(insertJob(ctx, {worker: 'W', priority: 12})).rejects.toThrow(
      'invalid job: priority: must be an integer from 0 to 9, got 12',
    )
    expect(await stored()).toEqual([])
  })

  it('emits an engine:insert_job span', async () => {
    const events: [string, Record<string, unknown>][] = []
    attach('insert-test', ['engine:insert_job:start', 'engine:insert_job:stop'], (event, _m, meta) =>
      events.push([event, meta]),
    )
    try {
      const {job} = await insertJob(ctx, {worker: 'W'})
      expect(events.map(([e]) => e)).toEqual(['engine:insert_job:start', 'engine:insert_job:stop'])
      expect(events[1]![1]).toMatchObject({job, conflict: false, prefix: 'public'})
    } finally {
      detach('insert-test')
    }
  })
})

describe('insertAllJobs', () => {
  it('inserts 1000 jobs in one statement, in order, as stored', async () => {
    const specs: JobSpec[] = Array.from({length: 1000}, (_, i) => ({worker: 'Bulk', args: {i}}))
    const jobs = await withClient(async (client) => {
      const queries: unknown[] = []
      const query = client.query.bind(client) as (...args: unknown[]) => unknown
      Object.assign(client, {query: (...args: unknown[]) => (queries.push(args[0]), query(...args))})
      const inserted = await insertAllJobs(ctx, specs, {client})
      // One statement: the INSERT sends the insert notification itself.
      expect(queries).toHaveLength(1)
      Object.assign(client, {query})
      return inserted
    })
    expect(jobs).toHaveLength(1000)
    expect(jobs.map((job) => job.args.i)).toEqual(specs.map((_, i) => i))
    expect(jobs.map((job) => job.id)).toEqual([...jobs.map((job) => job.id)].sort((a, b) => Number(a) - Number(b)))
    expect(await stored()).toEqual(jobs)
  })

  it('returns the stored ids in input order when they are not consecutive (another inserter took values meanwhile)', async () => {
    // A sequence stepping by 3 stands for another session's inserts interleaving with ours.
    await pool.query('ALTER SEQUENCE oban_jobs_id_seq INCREMENT BY 3')
    try {
      const specs: JobSpec[] = Array.from({length: 50}, (_, i) => ({worker: 'Bulk', queue: `q${i % 2}`, args: {i}}))
      const jobs = await insertAllJobs(ctx, specs)
      expect(jobs.map((job) => job.args.i)).toEqual(specs.map((_, i) => i))
      expect(Number(jobs[1]!.id) - Number(jobs[0]!.id)).toBe(3)
      expect(await stored()).toEqual(jobs)
    } finally {
      await pool.query('ALTER SEQUENCE oban_jobs_id_seq INCREMENT BY 1')
    }
  })

  it('returns exactly what is stored when rows differ in every column', async () => {
    const at = new Date(Date.now() + 3_600_000)
    const jobs = await insertAllJobs(ctx, [
      {worker: 'A', args: {a: 1, s: 'q"uote \\ back é \u2028 \n'}},
      {worker: 'B', queue: 'other', priority: 3, maxAttempts: 2, tags: ['X', 'y "q" \\ z'], meta: {m: true}},
      {worker: 'C', scheduledAt: at},
      {worker: 'D', scheduleIn: 30, args: {nested: {list: [1, 'two', null]}}},
    ])
    expect(jobs.map((job) => job.state)).toEqual(['available', 'available', 'scheduled', 'scheduled'])
    expect(jobs[1]!.tags).toEqual(['x', 'y "q" \\ z'])
    expect(jobs[2]!.scheduledAt).toEqual(at)
    expect(await stored()).toEqual(jobs)
    expect(await insertAllJobs(ctx, [])).toEqual([])
  })

  it('validates every spec first and inserts nothing when one is invalid', async () => {
    const error = await insertAllJobs(ctx, [{worker: 'A'}, {worker: 'B', priority: -1, queue: ''}]).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(JobValidationError)
    expect((error as JobValidationError).message).toBe(
      'invalid job: jobs[1].queue: must be a queue name of 1 to 127 characters, without spaces, quotes or backslashes, got ""; jobs[1].priority: must be an integer from 0 to 9, got -1',
    )
    expect(await stored()).toEqual([])
  })
})

describe('insertAllJobs, pipelined (a batch larger than PIPELINE_CHUNK)', () => {
  const size = 2 * PIPELINE_CHUNK + 7
  // Queue beta only in the last chunk, alpha in every chunk: one notification each all the same.
  const specs = (): JobSpec[] =>
    Array.from({length: size}, (_, i) => ({worker: 'Bulk', queue: i >= size - 3 ? 'beta' : 'alpha', args: {i}}))

  it('inserts in one transaction of ours, returns the jobs in order as stored, notifies each queue once', async () => {
    let queries: unknown[] = []
    let jobs: Job[] = []
    const received = await listener.collect(() =>
      withClient(async (client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown
        Object.assign(client, {query: (...args: unknown[]) => (queries.push(args[0]), query(...args))})
        jobs = await insertAllJobs(ctx, specs(), {client})
        Object.assign(client, {query})
        queries = queries.map((q) => (typeof q === 'string' ? q : 'INSERT'))
      }),
    )
    expect(queries[0]).toBe('BEGIN')
    expect(queries.at(-1)).toBe('COMMIT')
    expect(queries.length).toBeGreaterThan(4)
    expect(received).toEqual([{queue: 'alpha'}, {queue: 'beta'}])
    expect(jobs.map((job) => job.args.i)).toEqual(specs().map((_, i) => i))
    expect(new Set(jobs.map((job) => (job.insertedAt as Date).getTime())).size).toBe(1)
    expect(await stored()).toEqual(jobs)
  })

  it('returns the stored ids when the ids it drew are not consecutive (another session drew meanwhile)', async () => {
    await pool.query('ALTER SEQUENCE oban_jobs_id_seq INCREMENT BY 3')
    try {
      const jobs = await insertAllJobs(ctx, specs())
      expect(jobs.map((job) => job.args.i)).toEqual(specs().map((_, i) => i))
      expect(Number(jobs[1]!.id) - Number(jobs[0]!.id)).toBe(3)
      expect(await stored()).toEqual(jobs)
    } finally {
      await pool.query('ALTER SEQUENCE oban_jobs_id_seq INCREMENT BY 1')
    }
  })

  it('inserts into a prefix of its own', async () => {
    await migrateUp(pool, {prefix: 'bulk_prefix'})
    const jobs = await insertAllJobs({...ctx, prefix: 'bulk_prefix'}, specs())
    const {rows} = await pool.query<{s: string}>('SELECT id::text AS s FROM bulk_prefix.oban_jobs ORDER BY id')
    expect(rows.map((row) => row.s)).toEqual(jobs.map((job) => job.id))
    expect(await stored()).toEqual([])
  })

  it('inserts nothing and lists every problem when a spec of the last chunk is invalid', async () => {
    const bad = specs()
    bad[3] = {worker: 'Bulk', priority: 12}
    bad[size - 1] = {worker: '', args: {i: size - 1}}
    const received = await listener.collect(async () => {
      const error = await insertAllJobs(ctx, bad).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(JobValidationError)
      expect((error as JobValidationError).issues.map((issue) => issue.field)).toEqual([
        'jobs[3].priority',
        `jobs[${size - 1}].worker`,
      ])
    })
    expect(received).toEqual([])
    expect(await stored()).toEqual([])
    // A spec invalid only late in the batch: earlier chunks were sent, and rolled back.
    const late = specs()
    late[size - 1] = {worker: 'Bulk', maxAttempts: 0}
    await expect(insertAllJobs(ctx, late)).rejects.toThrow(`jobs[${size - 1}].maxAttempts`)
    expect(await stored()).toEqual([])
    expect((await insertAllJobs(ctx, specs())).length).toBe(size)
  })

  it('rolls back every chunk and rethrows when the server refuses one of them', async () => {
    await pool.query(`CREATE FUNCTION refuse_late() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF (NEW.args->>'i')::int = ${size - 2} THEN RAISE EXCEPTION 'refused late row'; END IF; RETURN NEW; END $$`)
    await pool.query(
      'CREATE TRIGGER refuse_late BEFORE INSERT ON oban_jobs FOR EACH ROW EXECUTE FUNCTION refuse_late()',
    )
    try {
      const received = await listener.collect(() =>
        expect(insertAllJobs(ctx, specs())).rejects.toThrow('refused late row'),
      )
      expect(received).toEqual([])
      expect(await stored()).toEqual([])
    } finally {
      await pool.query('DROP TRIGGER refuse_late ON oban_jobs; DROP FUNCTION refuse_late()')
    }
    expect((await insertAllJobs(ctx, specs())).length).toBe(size)
  })

  it("runs in the caller's transaction and leaves it open: the caller's rollback removes everything", async () => {
    const received = await listener.collect(() =>
      withClient(async (client) => {
        await client.query('BEGIN')
        expect((await insertAllJobs(ctx, specs(), {client})).length).toBe(size)
        expect(client.getTransactionStatus()).toBe('T')
        expect(await stored()).toEqual([])
        await client.query('ROLLBACK')
      }),
    )
    expect(received).toEqual([])
    expect(await stored()).toEqual([])
  })
})

describe('insert notifications', () => {
  it('sends one {queue} per distinct queue of the available jobs, none for scheduled ones', async () => {
    const received = await listener.collect(() =>
      insertAllJobs(ctx, [
        {worker: 'W', queue: 'alpha'},
        {worker: 'W', queue: 'beta'},
        {worker: 'W', queue: 'alpha'},
        {worker: 'W', queue: 'gamma', scheduleIn: 60},
      ]),
    )
    expect(received).toEqual([{queue: 'alpha'}, {queue: 'beta'}])
    expect(await listener.collect(() => insertJob(ctx, {worker: 'W', queue: 'later', scheduleIn: 5}))).toEqual([])
    expect(await listener.collect(() => insertJob(ctx, {worker: 'W', queue: 'now'}))).toEqual([{queue: 'now'}])
  })

  it('sends nothing when insertTrigger is off', async () => {
    const quiet = {...ctx, insertTrigger: false}
    expect(await listener.collect(() => insertJob(quiet, {worker: 'W'}))).toEqual([])
    expect(await listener.collect(() => insertAllJobs(quiet, [{worker: 'W'}]))).toEqual([])
  })
})

describe("inserting in the caller's transaction", () => {
  it('leaves no job and no notification when the caller rolls back', async () => {
    const received = await listener.collect(() =>
      withClient(async (client) => {
        await client.query('BEGIN')
        await insertJob(ctx, {worker: 'W', queue: 'tx'}, {client})
        await insertAllJobs(ctx, [{worker: 'W', queue: 'tx2'}], {client})
        await insertJob(ctx, {worker: 'W', queue: 'tx3', unique: true}, {client})
        expect((await client.query('SELECT count(*)::int AS n FROM oban_jobs')).rows[0]).toEqual({n: 3})
        await client.query('ROLLBACK')
      }),
    )
    expect(received).toEqual([])
    expect(await stored()).toEqual([])
  })

  it('commits the job and delivers the notification with the caller', async () => {
    let inserted: Job | undefined
    const received = await listener.collect(() =>
      withClient(async (client) => {
        await client.query('BEGIN')
        inserted = (await insertJob(ctx, {worker: 'W', queue: 'tx'}, {client})).job
        // Not visible to others until the caller commits.
        expect(await stored()).toEqual([])
        await client.query('COMMIT')
      }),
    )
    expect(received).toEqual([{queue: 'tx'}])
    expect(await stored()).toEqual([inserted])
  })

  it('runs a unique insert in a transaction of its own on an idle client', async () => {
    const first = await withClient((client) => insertJob(ctx, {worker: 'W', unique: true}, {client}))
    const second = await withClient((client) => insertJob(ctx, {worker: 'W', unique: true}, {client}))
    expect(second).toMatchObject({conflict: true, locked: false, job: {id: first.job.id}})
  })
})
