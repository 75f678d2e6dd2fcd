import pg from 'pg'
import {afterEach, describe, expect, it} from 'vitest'
import {createPool} from '../../../src/db/pool.js'
import {currentLeader} from '../../../src/engine/peer-leader.js'
import {deleteExpiredPeers, upsertPeer} from '../../../src/engine/peer-elect.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import type {Notifier} from '../../../src/notifier/notifier.js'
import {PostgresNotifier} from '../../../src/notifier/postgres-notifier.js'
import {Peer, type PeerOptions} from '../../../src/cluster/peer.js'
import {attach, detach, type Metadata} from '../../../src/telemetry/telemetry.js'
import {eventually, migratedDatabase} from '../../helpers/oban-db.js'
import {TcpProxy} from '../../helpers/tcp-proxy.js'

const {url, pool} = await migratedDatabase('peer')
const logger = createLogger({level: 'silent'})
const running: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop()
  await pool.query('DELETE FROM oban_peers')
})

/** A real Postgres notifier: its own LISTEN connection, NOTIFY through the file's pool. */
async function notifier(): Promise<Notifier> {
  const n = new PostgresNotifier({url, pool, prefix: 'public', ident: 'Oban.test', logger, instance: 'Oban'})
  await n.start()
  running.push(() => n.stop())
  return n
}

async function peer(options: Partial<PeerOptions> & {name?: string; node: string; canLead?: boolean}): Promise<Peer> {
  const p = new Peer({
    pool: options.pool ?? pool,
    notifier: options.notifier ?? (await notifier()),
    config: {name: options.name ?? 'Oban', node: options.node, prefix: 'public', peer: options.canLead ?? true},
    logger,
    interval: options.interval ?? 60_000,
    onChange: options.onChange,
  })
  running.push(() => p.stop())
  return p
}

async function rows(): Promise<{name: string; node: string}[]> {
  const result = await pool.query<{name: string; node: string}>('SELECT name, node FROM oban_peers ORDER BY name')
  return result.rows
}

/** A plain LISTEN client, as an Elixir node's notifier is: it records what arrives on a channel. */
async function listen(channel: string): Promise<string[]> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  const received: string[] = []
  client.on('notification', (message) => received.push(message.payload ?? ''))
  await client.query(`LISTEN "${channel}"`)
  running.push(() => client.end())
  return received
}

describe('Peer', () => {
  it('elects exactly one of two nodes of an instance', async () => {
    const a = await peer({node: 'node-a'})
    const b = await peer({node: 'node-b'})
    await Promise.all([a.start(), b.start()])
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1)
    const leader = a.isLeader ? 'node-a' : 'node-b'
    expect(await a.getLeader()).toBe(leader)
    expect(await b.getLeader()).toBe(leader)
    expect(await rows()).toEqual([{name: 'Oban', node: leader}])
  })

  it('never renews another node’s lease (the Oban 2.23.1 fix)', async () => {
    await pool.query(
      `INSERT INTO oban_peers (name, node, started_at, expires_at)
       VALUES ('Oban', 'elixir-1', timezone('UTC', now()), timezone('UTC', now()) + interval '30 seconds')`,
    )
    const before = await currentLeader(pool, 'public', 'Oban')
    expect(await upsertPeer(pool, 'public', {name: 'Oban', node: 'ts-1', leaseMs: 60_000})).toBe(false)
    expect(await currentLeader(pool, 'public', 'Oban')).toEqual(before)
    expect(await deleteExpiredPeers(pool, 'public', 'Oban')).toBe(0)

    const follower = await peer({node: 'ts-1'})
    await follower.start()
    expect(follower.isLeader).toBe(false)
    expect(await follower.getLeader()).toBe('elixir-1')

    // The holder renews its own row: the expiry moves forward.
    expect(await upsertPeer(pool, 'public', {name: 'Oban', node: 'elixir-1', leaseMs: 60_000})).toBe(true)
    const after = await currentLeader(pool, 'public', 'Oban')
    expect(after!.expiresAt.getTime()).toBeGreaterThan(before!.expiresAt.getTime())
    expect(after!.startedAt).toEqual(before!.startedAt)
  })

  it('hands leadership over at once when the leader stops, with {"down": name} on the leader channel', async () => {
    const notices = await listen('public.oban_leader')
    const changes: boolean[] = []
    const first = await peer({node: 'node-a'})
    await first.start()
    const second = await peer({node: 'node-b', onChange: (leader) => changes.push(leader)})
    await second.start()
    expect(first.isLeader).toBe(true)
    expect(second.isLeader).toBe(false)

    // Both use a 60s interval: only the down notice can explain a quick takeover.
    await first.stop()
    await first.stop()
    expect(first.isLeader).toBe(false)
    await eventually(() => second.isLeader, 5_000, 'the follower to take over')
    expect(changes).toEqual([true])
    expect(await rows()).toEqual([{name: 'Oban', node: 'node-b'}])
    await eventually(() => notices.length > 0, 5_000, 'the down notice')
    expect(notices.map((n) => JSON.parse(n) as unknown)).toEqual([{down: 'Oban'}])
  })

  it('takes over when an Elixir leader of the same instance name announces that it is down', async () => {
    await pool.query(
      `INSERT INTO oban_peers (name, node, started_at, expires_at)
       VALUES ('MyApp.Oban', 'elixir-p', timezone('UTC', now()), timezone('UTC', now()) + interval '30 seconds')`,
    )
    const ours = await peer({name: 'MyApp.Oban', node: 'ts-1'})
    await ours.start()
    expect(ours.isLeader).toBe(false)
    // What Oban 2.23.1 does on shutdown: delete its row, then notify on the leader channel.
    await pool.query(`DELETE FROM oban_peers WHERE node = 'elixir-p'`)
    await pool.query(`SELECT pg_notify('public.oban_leader', '{"down":"Other"}')`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(ours.isLeader).toBe(false)
    await pool.query(`SELECT pg_notify('public.oban_leader', '{"down":"MyApp.Oban"}')`)
    await eventually(() => ours.isLeader, 5_000, 'the takeover')
    expect(await rows()).toEqual([{name: 'MyApp.Oban', node: 'ts-1'}])
  })

  it('holds an election after its notifier reconnects, in case a down notice was lost', async () => {
    await pool.query(
      `INSERT INTO oban_peers (name, node, started_at, expires_at)
       VALUES ('Oban', 'elixir-1', timezone('UTC', now()), timezone('UTC', now()) + interval '30 seconds')`,
    )
    const n = new PostgresNotifier({url, pool, prefix: 'public', ident: 'Oban.test', logger, instance: 'Oban'})
    await n.start()
    running.push(() => n.stop())
    const follower = await peer({node: 'ts-1', notifier: n})
    await follower.start()
    expect(follower.isLeader).toBe(false)
    // The Elixir leader leaves and its notice is lost (here: never sent); then our listener drops.
    await pool.query(`DELETE FROM oban_peers WHERE node = 'elixir-1'`)
    await pool.query('SELECT pg_terminate_backend($1)', [n.backendPid])
    await eventually(() => follower.isLeader, 10_000, 'an election after the reconnect')
  })

  it('takes over after the lease expires when the leader vanishes without a word', async () => {
    await pool.query(
      `INSERT INTO oban_peers (name, node, started_at, expires_at)
       VALUES ('Oban', 'ghost', timezone('UTC', now()), timezone('UTC', now()) + interval '1 second')`,
    )
    const follower = await peer({node: 'node-b', interval: 300})
    await follower.start()
    expect(follower.isLeader).toBe(false)
    await eventually(() => follower.isLeader, 5_000, 'the takeover after expiry')
    expect(await rows()).toEqual([{name: 'Oban', node: 'node-b'}])
  })

  it('gives up leadership when its database connection is lost, and the lease passes on after it expires', async () => {
    // The leader reaches the database through a proxy, which then goes away for good.
    const {proxy, url: proxied} = await TcpProxy.start(url)
    const doomedPool = createPool(proxied, {max: 2})
    doomedPool.on('error', () => undefined)
    running.push(() => doomedPool.end().catch(() => undefined))
    const changes: boolean[] = []
    const leader = await peer({node: 'node-a', interval: 400, pool: doomedPool, onChange: (l) => changes.push(l)})
    await leader.start()
    expect(leader.isLeader).toBe(true)
    const follower = await peer({node: 'node-b', interval: 400})
    await follower.start()
    expect(follower.isLeader).toBe(false)

    await proxy.close() // the leader's database goes away: its session is lost, elections fail
    await eventually(() => !leader.isLeader, 5_000, 'the failed leader to step down')
    expect(changes).toEqual([true, false])
    await eventually(() => follower.isLeader, 5_000, 'the follower to take over after expiry')
  })

  it('never leads with peer: false, even alone', async () => {
    const p = await peer({node: 'web-1', canLead: false, interval: 100})
    await p.start()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(p.isLeader).toBe(false)
    expect(await rows()).toEqual([])
    expect(await p.getLeader()).toBeUndefined()
  })

  it('elects a leader per instance name', async () => {
    const one = await peer({name: 'One', node: 'node-a'})
    const two = await peer({name: 'Two', node: 'node-a'})
    const otherOne = await peer({name: 'One', node: 'node-b'})
    await one.start()
    await two.start()
    await otherOne.start()
    expect([one.isLeader, two.isLeader, otherOne.isLeader]).toEqual([true, true, false])
    expect(await rows()).toEqual([
      {name: 'One', node: 'node-a'},
      {name: 'Two', node: 'node-a'},
    ])
  })

  it('renews its lease on the leader schedule and reports elections through telemetry', async () => {
    const events: [string, Metadata][] = []
    attach('peer-test', ['peer:election:start', 'peer:election:stop'], (event, _m, meta) => {
      if (meta.instance === 'Telemetry') events.push([event, meta])
    })
    try {
      const p = await peer({name: 'Telemetry', node: 'node-a', interval: 400})
      await p.start()
      const first = await currentLeader(pool, 'public', 'Telemetry')
      await eventually(
        async () => (await currentLeader(pool, 'public', 'Telemetry'))!.expiresAt > first!.expiresAt,
        5_000,
        'a renewal',
      )
    } finally {
      detach('peer-test')
    }
    expect(events[0]).toEqual(['peer:election:start', expect.objectContaining({leader: false, wasLeader: false})])
    expect(events[1]).toEqual(['peer:election:stop', expect.objectContaining({leader: true, wasLeader: false})])
    expect(events).toContainEqual(['peer:election:stop', expect.objectContaining({leader: true, wasLeader: true})])
  })
})
