import {afterEach, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {createPresenceTable} from '../../../src/engine/presence-table.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {IsolatedNotifier} from '../../../src/notifier/isolated-notifier.js'
import {Peer, type PeerOptions} from '../../../src/cluster/peer.js'
import {attach, detach} from '../../../src/telemetry/telemetry.js'
import {eventually, migratedDatabase} from '../../helpers/oban-db.js'
import {TcpProxy} from '../../helpers/tcp-proxy.js'

// Leadership at its edges: a lease that expires, a leader that dies, a leader that was paused.

const {url, pool} = await migratedDatabase('peer_edges')
await createPresenceTable(pool, 'public')
const logger = createLogger({level: 'silent'})
const running: (() => Promise<unknown>)[] = []

afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop()
  detach('peer-edges')
  await pool.query('DELETE FROM oban_peers')
  await pool.query('DELETE FROM oban_ts_nodes')
})

async function peer(options: Partial<PeerOptions> & {node: string}): Promise<Peer> {
  const notifier = new IsolatedNotifier({prefix: 'public', ident: `Oban.${options.node}`, logger, instance: 'Oban'})
  await notifier.start()
  const p = new Peer({
    pool: options.pool ?? pool,
    notifier,
    config: {name: 'Oban', node: options.node, prefix: 'public', peer: true},
    logger,
    interval: options.interval ?? 60_000,
    checkInterval: options.checkInterval,
    onChange: options.onChange,
  })
  running.push(
    () => notifier.stop(),
    () => p.stop(),
  )
  return p
}

/** A lease row as another node (Elixir's, or a dead one) left it, expiring in `seconds`. */
async function lease(node: string, seconds: number): Promise<void> {
  await pool.query(
    `INSERT INTO oban_peers (name, node, started_at, expires_at)
     VALUES ('Oban', $1, timezone('UTC', now()), timezone('UTC', now()) + make_interval(secs => $2))`,
    [node, seconds],
  )
}

/** A presence row for `node`, as a running oban-ts node writes it (`leaseLock` declared or not). */
async function presence(node: string, leaseLock = true): Promise<void> {
  await pool.query(
    `INSERT INTO oban_ts_nodes (instance, node, pid, hostname, started_at, seen_at, expires_at, meta)
     VALUES ('Oban', $1, 1, 'elsewhere', timezone('UTC', now()), timezone('UTC', now()),
             timezone('UTC', now()) + interval '30 seconds', $2)`,
    [node, {leader: true, notifier: 'postgres', ...(leaseLock ? {leaseLock: true} : {})}],
  )
}

const holder = async () => (await pool.query<{node: string}>('SELECT node FROM oban_peers')).rows[0]?.node

/** Holds the event loop for `ms`, as SIGSTOP does to a whole process. */
function freeze(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // the process is not running
  }
}

describe('Peer at the edges', () => {
  it('takes over within a check of the lease expiring, not at its next election an interval later', async () => {
    await lease('vanished', 1.5)
    const expiresAt = Date.now() + 1_500
    // A 60 s interval: Oban's follower would try again only ~54-60 s later.
    const follower = await peer({node: 'node-b'})
    await follower.start()
    expect(follower.isLeader).toBe(false)
    await eventually(() => follower.isLeader, 10_000, 'the takeover')
    expect(Date.now() - expiresAt).toBeLessThan(1_500)
    expect(await holder()).toBe('node-b')
  })

  it('takes over at once from a leading oban-ts node whose process is gone', async () => {
    // node-a reaches the database through a proxy that then disappears: its sessions end, as a
    // killed process's do, and it cannot come back.
    const {proxy, url: proxied} = await TcpProxy.start(url)
    const doomed: Pool = createPool(proxied, {max: 2})
    doomed.on('error', () => undefined)
    running.push(() => doomed.end().catch(() => undefined))
    const dead = await peer({node: 'node-a', pool: doomed})
    await dead.start()
    expect(dead.isLeader).toBe(true)
    await presence('node-a')
    const follower = await peer({node: 'node-b', checkInterval: 200})
    await follower.start()
    await new Promise((resolve) => setTimeout(resolve, 600))
    // Alive, it keeps its lease: followers see its lock held.
    expect(follower.isLeader).toBe(false)

    const diedAt = Date.now()
    await proxy.close()
    await eventually(() => follower.isLeader, 10_000, 'the takeover')
    // Its lease had ~59 s left.
    expect(Date.now() - diedAt).toBeLessThan(3_000)
    expect(await holder()).toBe('node-b')
  })

  it('never breaks the unexpired lease of an Elixir node, nor of a node that does not declare the lock', async () => {
    await lease('elixir-1', 60)
    const follower = await peer({node: 'node-b', checkInterval: 50})
    await follower.start()
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(follower.isLeader).toBe(false)
    expect(await holder()).toBe('elixir-1')

    await presence('elixir-1', false)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(follower.isLeader).toBe(false)
    expect(await holder()).toBe('elixir-1')
  })

  it('a leader frozen past its lease is a follower the moment it wakes, before any other timer runs', async () => {
    const leader = await peer({node: 'node-a', interval: 1_000})
    await leader.start()
    expect(leader.isLeader).toBe(true)
    // Leader-only work due during the freeze runs first thing after it.
    const atWake = new Promise<boolean>((resolve) => setTimeout(() => resolve(leader.isLeader), 5))
    freeze(1_300)
    expect(await atWake).toBe(false)
    // Its lease has expired, nobody took it: it re-confirms and leads again.
    await eventually(() => leader.isLeader, 5_000, 're-elected')
  })

  it('after a pause shorter than its lease, a leader re-confirms its lease before it counts as leader again', async () => {
    const elections: number[] = []
    attach('peer-edges', ['peer:election:stop'], (_e, _m, meta) => {
      if (meta.node === 'node-a') elections.push(performance.now())
    })
    const leader = await peer({node: 'node-a'})
    await leader.start()
    expect(leader.isLeader).toBe(true)
    const atWake = new Promise<boolean>((resolve) => setTimeout(() => resolve(leader.isLeader), 5))
    freeze(2_300)
    const woke = performance.now()
    expect(await atWake).toBe(false)
    await eventually(() => leader.isLeader, 5_000, 're-confirmed')
    expect(elections.some((at) => at >= woke)).toBe(true)
  })

  it('stops leading as soon as the connection holding its lease is lost, then re-confirms its lease', async () => {
    const changes: boolean[] = []
    const leader = await peer({node: 'node-a', onChange: (value) => changes.push(value)})
    await leader.start()
    expect(leader.isLeader).toBe(true)
    const {rows} = await pool.query<{pid: number}>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = hashtext('node-a')::oid
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )
    expect(rows).toHaveLength(1)
    await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
    // It may lead again within milliseconds (its lease is still its own): watch the transitions.
    await eventually(() => changes.length === 3, 5_000, 'the leader to stop leading, then lead again')
    expect(changes).toEqual([true, false, true])
    expect(leader.isLeader).toBe(true)
    expect(await holder()).toBe('node-a')
  })
})
