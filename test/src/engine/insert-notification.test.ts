import pg from 'pg'
import {afterAll, describe, expect, it} from 'vitest'
import {insertAllJobs} from '../../../src/client/insert-all.js'
import {insertJob, type InsertContext} from '../../../src/client/insert.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

// Oban (Elixir, v2.23.1) sends `{"queue":"default"}` on `<prefix>.oban_insert` (Jason's encoding,
// no spaces; reference/oban-wire.md). Tools that compare payloads see the bytes, not the JSON.

const {url, pool} = await migratedDatabase('insert_bytes')
const ctx: InsertContext = {pool, prefix: 'public', insertTrigger: true}

const listener = new pg.Client({connectionString: url})
listener.on('error', () => {})
await listener.connect()
afterAll(() => listener.end())
const payloads: string[] = []
listener.on('notification', (message) => {
  if (message.channel === 'public.oban_insert') payloads.push(message.payload ?? '')
})
await listener.query('LISTEN "public.oban_insert"')

/** Runs `fn`, then waits for a sentinel sent after it: everything `fn` committed has arrived. */
async function received(fn: () => Promise<unknown>): Promise<string[]> {
  payloads.length = 0
  await fn()
  await pool.query(`SELECT pg_notify('public.oban_insert', 'sentinel')`)
  const deadline = Date.now() + 10_000
  while (!payloads.includes('sentinel')) {
    if (Date.now() > deadline) throw new Error('the sentinel notification did not arrive within 10 s')
    await new Promise((resolve) => setImmediate(resolve))
  }
  return payloads.filter((p) => p !== 'sentinel')
}

describe("insert notifications, byte for byte as Oban's", () => {
  it('sends {"queue":"..."} without spaces for one job and for a batch', async () => {
    expect(await received(() => insertJob(ctx, {worker: 'MyApp.A', queue: 'default'}))).toEqual(['{"queue":"default"}'])
    expect(
      await received(() =>
        insertAllJobs(ctx, [
          {worker: 'MyApp.A', queue: 'events'},
          {worker: 'MyApp.A', queue: 'events'},
          {worker: 'MyApp.A', queue: 'mailers'},
        ]),
      ),
    ).toEqual(['{"queue":"events"}', '{"queue":"mailers"}'])
  })

  it('writes a queue name as JSON does', async () => {
    // Quotes and backslashes are not allowed in queue names (src/util/queue-name.ts).
    const queue = 'odd/queue:ünïcode.€'
    const [payload] = await received(() => insertJob(ctx, {worker: 'MyApp.A', queue}))
    expect(payload).toBe(JSON.stringify({queue}))
  })
})
