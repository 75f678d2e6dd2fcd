import pg from 'pg'
import {afterAll} from 'vitest'
import type {Queryable} from '../../src/db/pool.js'

/**
 * A plain pg client LISTENing on `<prefix>.oban_insert`, as another node would. `collect(fn)`
 * runs `fn`, then sends a sentinel NOTIFY from `db` and waits for it: notifications are
 * delivered in commit order, so everything `fn` committed has arrived by then, and nothing else
 * will, which lets tests assert "exactly these" and "none" without sleeping.
 */
export async function insertListener(url: string, db: Queryable, prefix = 'public') {
  const channel = `${prefix}.oban_insert`
  const client = new pg.Client({connectionString: url})
  // The database is dropped with FORCE after the file: a terminated connection is expected then.
  client.on('error', () => {})
  await client.connect()
  afterAll(() => client.end())
  const received: unknown[] = []
  let onSentinel: (() => void) | undefined
  client.on('notification', (message) => {
    if (message.channel !== channel) return
    const payload = JSON.parse(message.payload ?? 'null') as Record<string, unknown>
    if (payload?.sentinel) onSentinel?.()
    else received.push(payload)
  })
  await client.query(`LISTEN "${channel}"`)
  const sentinel = async () => {
    const arrived = new Promise<void>((resolve) => (onSentinel = resolve))
    await db.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({sentinel: true})])
    await arrived
  }
  return {
    async collect(fn: () => Promise<unknown>): Promise<unknown[]> {
      // Drain what earlier statements committed, so only fn's notifications are counted.
      await sentinel()
      received.length = 0
      await fn()
      await sentinel()
      return [...received]
    },
  }
}
