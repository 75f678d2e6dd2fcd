import {randomBytes} from 'node:crypto'
import pg from 'pg'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {createPool} from '../../../src/db/pool.js'
import {InvalidChannelError, InvalidPrefixError, NotificationTooLargeError} from '../../../src/errors.js'
import {fullChannel} from '../../../src/db/names.js'
import {decodePayload} from '../../../src/notifier/codec.js'
import {MAX_PAYLOAD_BYTES, sendNotifications} from '../../../src/notifier/send.js'
import {createTestDatabase} from '../../helpers/db.js'
import {eventually} from '../../helpers/oban-db.js'

const url = await createTestDatabase('notifier_send')
const pool = createPool(url, {max: 2})
afterAll(() => pool.end())

const clients: pg.Client[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) await client.end()
})

/** A plain LISTEN client, as an Elixir node's notifier is: it records what arrives, raw. */
async function rawListener(channel: string): Promise<{channel: string; payload: string}[]> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  clients.push(client)
  const received: {channel: string; payload: string}[] = []
  client.on('notification', (m) => received.push({channel: m.channel, payload: m.payload ?? ''}))
  await client.query(`LISTEN "${channel}"`)
  return received
}

describe('sendNotifications', () => {
  it('sends one NOTIFY per payload, in one statement, in Oban’s encoding', async () => {
    const received = await rawListener('public.oban_insert')
    await sendNotifications(pool, 'public', 'insert', [{queue: 'default'}, {queue: 'events'}])
    await eventually(() => received.length === 2)
    expect(received).toEqual([
      {channel: 'public.oban_insert', payload: '{"queue":"default"}'},
      {channel: 'public.oban_insert', payload: '{"queue":"events"}'},
    ])
  })

  it('uses the prefix in the channel name', async () => {
    const received = await rawListener('private.oban_insert')
    await sendNotifications(pool, 'private', 'insert', [{queue: 'alpha'}])
    await eventually(() => received.length === 1)
    expect(received[0]).toEqual({channel: 'private.oban_insert', payload: '{"queue":"alpha"}'})
  })

  it('delivers a compressed payload close to the limit intact', async () => {
    const received = await rawListener('public.oban_gossip')
    // ~5 000 random bytes as hex: compressed and base64-encoded it lands around 6 700 bytes.
    const payload = {blob: randomBytes(5_000).toString('hex')}
    await sendNotifications(pool, 'public', 'gossip', [payload])
    await eventually(() => received.length === 1)
    expect(received[0]!.payload.startsWith('Z:')).toBe(true)
    expect(received[0]!.payload.length).toBeGreaterThan(5_000)
    expect(decodePayload(received[0]!.payload)).toEqual(payload)
  })

  it('refuses the whole batch before sending when one payload is too large', async () => {
    const received = await rawListener('public.oban_gossip')
    const huge = {blob: randomBytes(10_000).toString('hex')}
    await expect(sendNotifications(pool, 'public', 'gossip', [{small: true}, huge])).rejects.toBeInstanceOf(
      NotificationTooLargeError,
    )
    await sendNotifications(pool, 'public', 'gossip', [{marker: 1}])
    await eventually(() => received.length === 1)
    expect(received.map((r) => r.payload)).toEqual(['{"marker":1}'])
  })

  it('sends nothing for an empty batch', async () => {
    const received = await rawListener('public.oban_insert')
    await sendNotifications(pool, 'public', 'insert', [])
    await sendNotifications(pool, 'public', 'insert', [{queue: 'after'}])
    await eventually(() => received.length === 1)
    expect(received[0]!.payload).toBe('{"queue":"after"}')
  })

  it('refuses invalid prefixes and channels, and names longer than PostgreSQL accepts', async () => {
    await expect(sendNotifications(pool, 'bad"prefix', 'insert', [{}])).rejects.toBeInstanceOf(InvalidPrefixError)
    await expect(sendNotifications(pool, 'public', 'in sert', [{}])).rejects.toBeInstanceOf(InvalidChannelError)
    await expect(sendNotifications(pool, 'public', '', [{}])).rejects.toBeInstanceOf(InvalidChannelError)
    const longest = 'c'.repeat(63 - 'public.oban_'.length)
    expect(fullChannel('public', longest)).toHaveLength(63)
    await sendNotifications(pool, 'public', longest, [{}])
    expect(() => fullChannel('public', `${longest}c`)).toThrow(InvalidChannelError)
  })

  it('matches the server’s limits: MAX_PAYLOAD_BYTES passes pg_notify, one byte more fails', async () => {
    await pool.query(`SELECT pg_notify('public.oban_limit', repeat('a', $1::int))`, [MAX_PAYLOAD_BYTES])
    await expect(
      pool.query(`SELECT pg_notify('public.oban_limit', repeat('a', $1::int))`, [MAX_PAYLOAD_BYTES + 1]),
    ).rejects.toThrow(/payload string too long/)
    await expect(pool.query(`SELECT pg_notify(repeat('c', 64), 'x')`)).rejects.toThrow(/channel name too long/)
  })
})
