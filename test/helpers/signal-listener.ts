import pg from 'pg'
import {afterAll} from 'vitest'
import type {Queryable} from '../../src/db/pool.js'

/**
 * A plain pg client LISTENing on `<prefix>.oban_signal`, as a node would. `collect(fn)` runs `fn`,
 * then sends a sentinel NOTIFY and waits for it: notifications arrive in commit order, so
 * everything `fn` sent has arrived by then, and tests can assert "exactly these" or "none"
 * without sleeping. Payloads are returned as received (decoded JSON).
 */
export async function signalListener(url: string, db: Queryable, prefixes: string[] = ['public']) {
  const client = new pg.Client({connectionString: url})
  // The database is dropped with FORCE after the file: a terminated connection is expected then.
  client.on('error', () => {})
  await client.connect()
  afterAll(() => client.end())
  const received: {channel: string; payload: unknown}[] = []
  let onSentinel: (() => void) | undefined
  client.on('notification', (message) => {
    const payload = JSON.parse(message.payload ?? 'null') as Record<string, unknown> | null
    if (payload?.sentinel) onSentinel?.()
    else received.push({channel: message.channel, payload})
  })
  for (const prefix of prefixes) await client.query(`LISTEN "${prefix}.oban_signal"`)
  const sentinel = async () => {
    const arrived = new Promise<void>((resolve) => (onSentinel = resolve))
    await db.query('SELECT pg_notify($1, $2)', [`${prefixes[0]}.oban_signal`, JSON.stringify({sentinel: true})])
    await arrived
  }
  return {
    /** The payloads `fn` caused on the signal channels, with the channel each came on. */
    async collect(fn: () => Promise<unknown>): Promise<{channel: string; payload: unknown}[]> {
      await sentinel()
      received.length = 0
      await fn()
      await sentinel()
      return [...received]
    },
  }
}
