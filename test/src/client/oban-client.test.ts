import {afterAll, beforeEach, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {ObanClient} from '../../../src/client/oban-client.js'
import {ConfigError} from '../../../src/errors.js'
import {defineWorker} from '../../../src/job/worker.js'
import {createTestDatabase} from '../../helpers/db.js'
import {insertListener} from '../../helpers/insert-listener.js'
import {signalListener} from '../../helpers/signal-listener.js'

const url = await createTestDatabase('oban_client')
const pool: Pool = createPool(url, {max: 3})
afterAll(() => pool.end())
await migrateUp(pool, {prefix: 'public'})
const inserts = await insertListener(url, pool)
const signals = await signalListener(url, pool)
const Email = defineWorker<{to: string}>({name: 'App.Email', queue: 'mailers', perform: () => undefined})

beforeEach(async () => {
  await pool.query('TRUNCATE oban_jobs')
})

async function count(where = 'true'): Promise<number> {
  const {rows} = await pool.query<{n: number}>(`SELECT count(*)::int AS n FROM oban_jobs WHERE ${where}`)
  return rows[0]!.n
}

describe('ObanClient', () => {
  it('inserts single, bulk and unique jobs and notifies their queues, without being a node', async () => {
    const client = new ObanClient({databaseUrl: url})
    try {
      const notified = await inserts.collect(async () => {
        const {job} = await client.insert(Email.new({to: 'a@example.com'}))
        expect(job).toMatchObject({
          worker: 'App.Email',
          queue: 'mailers',
          state: 'available',
          args: {to: 'a@example.com'},
        })
      })
      expect(notified).toEqual([{queue: 'mailers'}])
      const many = await client.insertAll([Email.new({to: 'b@x'}), Email.new({to: 'c@x'}, {queue: 'other'})])
      expect(many.map((job) => job.queue)).toEqual(['mailers', 'other'])
      const first = await client.insert(Email.new({to: 'u@x'}, {unique: {period: 60}}))
      const again = await client.insert(Email.new({to: 'u@x'}, {unique: {period: 60}}))
      expect(again).toMatchObject({conflict: true, locked: false, job: {id: first.job.id}})
      expect(await count()).toBe(4)
      // No LISTEN connection, no presence row, no leadership: nothing but the inserts.
      const {rows: listening} = await pool.query<{n: number}>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'oban-ts client' AND query ILIKE 'LISTEN%'`,
      )
      expect(listening[0]!.n).toBe(0)
      const {rows: peers} = await pool.query<{n: number}>('SELECT count(*)::int AS n FROM oban_peers')
      expect(peers[0]!.n).toBe(0)
      const {rows: presence} = await pool.query<{t: string | null}>(
        `SELECT to_regclass('public.oban_ts_nodes')::text AS t`,
      )
      expect(presence[0]!.t).toBeNull()
    } finally {
      await client.close()
    }
  })

  it("inserts in the caller's transaction: nothing exists, and nobody hears of it, unless it commits", async () => {
    const client = new ObanClient({pool})
    const tx = await pool.connect()
    try {
      const rolledBack = await inserts.collect(async () => {
        await tx.query('BEGIN')
        await client.insert(Email.new({to: 'r@x'}), {client: tx})
        await client.insertAll([Email.new({to: 's@x'})], {client: tx})
        await tx.query('ROLLBACK')
      })
      expect(rolledBack).toEqual([])
      expect(await count()).toBe(0)
      const committed = await inserts.collect(async () => {
        await tx.query('BEGIN')
        await client.insert(Email.new({to: 'c@x'}, {unique: {period: 60}}), {client: tx})
        await tx.query('COMMIT')
      })
      expect(committed).toEqual([{queue: 'mailers'}])
      expect(await count()).toBe(1)
    } finally {
      tx.release()
      await client.close()
    }
  })

  it("sends Oban's queue signals: to every node, or to one node of the named instance", async () => {
    const client = new ObanClient({pool, name: 'Web'})
    const sent = await signals.collect(async () => {
      await client.pauseQueue({queue: 'mailers'})
      await client.scaleQueue({queue: 'mailers', limit: 3, node: 'web-1'})
      await client.resumeAllQueues()
    })
    expect(sent.map((s) => s.payload)).toEqual([
      {action: 'pause', queue: 'mailers', ident: 'any'},
      {action: 'scale', queue: 'mailers', limit: 3, ident: 'Web.web-1'},
      {action: 'resume', queue: '*', ident: 'any'},
    ])
    await client.close()
  })

  it('close is idempotent, ends only a pool it opened, and the client refuses work afterwards', async () => {
    const own = new ObanClient({databaseUrl: url})
    await own.insert(Email.new({to: 'x@x'}))
    await Promise.all([own.close(), own.close()])
    await own.close()
    expect(own.pool.ended).toBe(true)
    await expect(own.insert(Email.new({to: 'y@x'}))).rejects.toThrow('this ObanClient was closed')
    const borrowed = new ObanClient({pool})
    await borrowed.close()
    expect(pool.ended).toBe(false)
    expect(await count()).toBe(1)
  })

  it('refuses options that name no database, two of them or a bad prefix', () => {
    const saved = process.env.DATABASE_URL
    delete process.env.DATABASE_URL
    try {
      expect(() => new ObanClient()).toThrow(ConfigError)
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved
    }
    expect(() => new ObanClient({pool, databaseUrl: url})).toThrow('either {databaseUrl} or {pool}')
    expect(() => new ObanClient({pool, prefix: 'bad prefix'})).toThrow(/prefix/)
  })
})
