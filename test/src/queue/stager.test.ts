import pg from 'pg'
import {afterEach, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import type {Notifier} from '../../../src/notifier/notifier.js'
import {IsolatedNotifier} from '../../../src/notifier/isolated-notifier.js'
import {PostgresNotifier} from '../../../src/notifier/postgres-notifier.js'
import {Peer} from '../../../src/cluster/peer.js'
import {Sonar, type SonarStatus} from '../../../src/notifier/sonar.js'
import {Stager, modeFor, type StagerOptions} from '../../../src/queue/stager.js'
import {attach, detach, type Metadata} from '../../../src/telemetry/telemetry.js'
import {eventually, insertRaw, migratedDatabase} from '../../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('stager')
const logger = createLogger({level: 'silent'})
const running: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop()
  await pool.query('DELETE FROM oban_jobs')
  await pool.query('DELETE FROM oban_peers')
})

/** A real Postgres notifier: its own LISTEN connection, NOTIFY through the file's pool. */
async function notifier(): Promise<Notifier> {
  const n = new PostgresNotifier({url, pool, prefix: 'public', ident: 'Oban.test', logger, instance: 'Oban'})
  await n.start()
  running.push(() => n.stop())
  return n
}

interface Harness {
  stager: Stager
  /** Every wakeLocal call, in order. */
  wakes: (string[] | 'all')[]
}

async function stager(
  options: {
    leader?: boolean | (() => boolean)
    status?: SonarStatus | (() => SonarStatus)
    limit?: number
    interval?: number
    pool?: Pool
    stager?: false
  } = {},
): Promise<Harness> {
  const wakes: (string[] | 'all')[] = []
  const {leader = true, status = 'clustered'} = options
  const s = new Stager({
    pool: options.pool ?? pool,
    notifier: await notifier(),
    config: {
      name: 'Oban',
      node: 'node-a',
      prefix: 'public',
      stager: options.stager ?? {interval: options.interval ?? 60_000, limit: options.limit ?? 5000},
    },
    logger,
    isLeader: typeof leader === 'function' ? leader : () => leader,
    sonarStatus: typeof status === 'function' ? status : () => status,
    wakeLocal: (queues) => wakes.push(queues),
  } satisfies StagerOptions)
  running.push(() => s.stop())
  return {stager: s, wakes}
}

/**
 * A plain LISTEN client, as an Elixir node's producers hear the leader's stager. `flush()` sends
 * a sentinel NOTIFY and waits for it: notifications arrive in commit order, so whatever was
 * committed before (a finished tick's) has arrived by then, and "exactly these" or "none" can be
 * asserted without waiting a while.
 */
async function listenInserts(): Promise<{received: {queue: string}[]; flush: () => Promise<void>}> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  const received: {queue: string}[] = []
  let onSentinel: (() => void) | undefined
  client.on('notification', (message) => {
    const payload = JSON.parse(message.payload ?? '{}') as {queue: string; sentinel?: boolean}
    if (payload.sentinel) onSentinel?.()
    else received.push(payload)
  })
  await client.query('LISTEN "public.oban_insert"')
  running.push(() => client.end())
  const flush = async () => {
    const arrived = new Promise<void>((resolve) => (onSentinel = resolve))
    await pool.query(`SELECT pg_notify('public.oban_insert', '{"sentinel":true}')`)
    await arrived
  }
  return {received, flush}
}

async function statesById(ids: string[]): Promise<string[]> {
  const {rows} = await pool.query<{id: string; state: string}>(
    'SELECT id, state FROM oban_jobs WHERE id = ANY($1::bigint[])',
    [ids],
  )
  const byId = new Map(rows.map((r) => [r.id, r.state]))
  return ids.map((id) => byId.get(id)!)
}

// Only where a timer must do nothing: a window of five 50 ms intervals, as a wrong tick needs one.
const settle = () => new Promise((resolve) => setTimeout(resolve, 250))

describe('Stager', () => {
  it('makes due scheduled and retryable jobs available and notifies each queue once', async () => {
    const {received, flush} = await listenInserts()
    const ids = await insertRaw(pool, [
      {queue: 'alpha', state: 'scheduled', scheduledIn: -60},
      {queue: 'alpha', state: 'scheduled', scheduledIn: -1},
      {queue: 'beta', state: 'retryable', scheduledIn: -5, attempt: 1},
      {queue: 'gamma', state: 'scheduled', scheduledIn: 3600},
      {queue: 'delta', state: 'retryable', scheduledIn: 3600, attempt: 1},
      {queue: 'done', state: 'completed', scheduledIn: -60},
    ])
    const stops: Metadata[] = []
    attach('stager-test', ['plugin:stop'], (_e, _m, meta) => stops.push(meta))
    try {
      const {stager: s, wakes} = await stager()
      await s.tick()
      expect(await statesById(ids)).toEqual([
        'available',
        'available',
        'available',
        'scheduled',
        'retryable',
        'completed',
      ])
      await flush()
      expect(received.sort((a, b) => a.queue.localeCompare(b.queue))).toEqual([{queue: 'alpha'}, {queue: 'beta'}])
      expect(wakes).toEqual([])
      expect(stops).toHaveLength(1)
      expect(stops[0]).toMatchObject({instance: 'Oban', plugin: 'Stager', leader: true, stagedCount: 3})
      expect(stops[0]!.stagedJobs).toEqual(
        expect.arrayContaining([
          {id: ids[0], queue: 'alpha', state: 'scheduled'},
          {id: ids[2], queue: 'beta', state: 'retryable'},
        ]),
      )
    } finally {
      detach('stager-test')
    }
  })

  it('stages at most limit jobs per tick, latest scheduled first (Oban’s order)', async () => {
    const ids = await insertRaw(
      pool,
      [-50, -40, -30, -20, -10].map((scheduledIn) => ({queue: 'limited', state: 'scheduled', scheduledIn})),
    )
    const {stager: s} = await stager({limit: 2})
    await s.tick()
    expect(await statesById(ids)).toEqual(['scheduled', 'scheduled', 'scheduled', 'available', 'available'])
    await s.tick()
    expect(await statesById(ids)).toEqual(['scheduled', 'available', 'available', 'available', 'available'])
  })

  it('also notifies queues whose jobs were already available (the leader’s periodic nudge)', async () => {
    const {received, flush} = await listenInserts()
    await insertRaw(pool, [{queue: 'waiting'}])
    const {stager: s} = await stager()
    await s.tick()
    await flush()
    expect(received).toEqual([{queue: 'waiting'}])
  })

  it('stages nothing on a follower; in global mode it leaves notifying to the leader', async () => {
    const {received, flush} = await listenInserts()
    const ids = await insertRaw(pool, [{queue: 'alpha', state: 'scheduled', scheduledIn: -5}, {queue: 'ready'}])
    const {stager: s, wakes} = await stager({leader: false, status: 'clustered'})
    await s.tick()
    await flush()
    expect(await statesById(ids)).toEqual(['scheduled', 'available'])
    expect(received).toEqual([])
    expect(wakes).toEqual([])
  })

  it('wakes local producers directly in local mode, on a follower and on the leader', async () => {
    const {received, flush} = await listenInserts()
    const ids = await insertRaw(pool, [{queue: 'alpha', state: 'scheduled', scheduledIn: -5}])

    const follower = await stager({leader: false, status: 'solitary'})
    await follower.stager.tick()
    expect(follower.stager.currentMode).toBe('local')
    expect(follower.wakes).toEqual(['all'])
    expect(await statesById(ids)).toEqual(['scheduled'])

    const leader = await stager({leader: true, status: 'isolated'})
    await leader.stager.tick()
    expect(leader.stager.currentMode).toBe('local')
    expect(leader.wakes).toEqual(['all'])
    expect(await statesById(ids)).toEqual(['available'])
    await flush()
    expect(received).toEqual([])
  })

  it('follows the sonar status and reports each switch', async () => {
    const switches: Metadata[] = []
    attach('stager-switch', ['stager:switch'], (_e, _m, meta) => switches.push(meta))
    try {
      let status: SonarStatus = 'unknown'
      const {stager: s} = await stager({status: () => status})
      await s.tick()
      expect(s.currentMode).toBe('global')
      status = 'isolated'
      await s.tick()
      expect(s.currentMode).toBe('local')
      status = 'unknown'
      await s.tick()
      expect(s.currentMode).toBe('local')
      status = 'clustered'
      await s.tick()
      expect(s.currentMode).toBe('global')
      expect(switches.map((m) => [m.instance, m.mode])).toEqual([
        ['Oban', 'local'],
        ['Oban', 'global'],
      ])
    } finally {
      detach('stager-switch')
    }
    expect([modeFor('solitary', true), modeFor('solitary', false), modeFor('unknown', true)]).toEqual([
      'global',
      'local',
      undefined,
    ])
  })

  it('falls back to waking local producers when the database is unreachable', async () => {
    const broken = createPool(url, {max: 1})
    await broken.end()
    const stops: Metadata[] = []
    attach('stager-broken', ['plugin:stop'], (_e, _m, meta) => stops.push(meta))
    try {
      const {stager: s, wakes} = await stager({pool: broken})
      await s.tick()
      expect(wakes).toEqual(['all'])
      expect(stops[0]).toMatchObject({leader: true, stagedCount: 0})
      expect(stops[0]!.error).toBeInstanceOf(Error)
    } finally {
      detach('stager-broken')
    }
  })

  it('ticks on its interval until stopped, staging for a real elected leader', async () => {
    const peer = new Peer({
      pool,
      notifier: await notifier(),
      config: {name: 'Oban', node: 'node-a', prefix: 'public', peer: true},
      logger,
    })
    running.push(() => peer.stop())
    await peer.start()
    expect(peer.isLeader).toBe(true)
    const {stager: s} = await stager({leader: () => peer.isLeader, interval: 50})
    s.start()
    s.start()
    const [first] = await insertRaw(pool, [{queue: 'timed', state: 'scheduled', scheduledIn: -1}])
    await eventually(async () => (await statesById([first!]))[0] === 'available', 5_000, 'staging on the interval')
    await s.stop()
    await s.stop()
    const [second] = await insertRaw(pool, [{queue: 'timed', state: 'scheduled', scheduledIn: -1}])
    await settle()
    expect(await statesById([second!])).toEqual(['scheduled'])
  })

  it('ticks at once after the notifier reconnects, to catch up on lost notifications', async () => {
    const n = new PostgresNotifier({url, pool, prefix: 'public', ident: 'Oban.test', logger, instance: 'Oban'})
    await n.start()
    running.push(() => n.stop())
    const wakes: (string[] | 'all')[] = []
    const s = new Stager({
      pool,
      notifier: n,
      config: {name: 'Oban', node: 'node-a', prefix: 'public', stager: {interval: 60_000, limit: 10}},
      logger,
      isLeader: () => true,
      sonarStatus: () => 'isolated',
      wakeLocal: (queues) => wakes.push(queues),
    })
    running.push(() => s.stop())
    s.start()
    const ids = await insertRaw(pool, [{queue: 'lost', state: 'scheduled', scheduledIn: -1}])
    await pool.query('SELECT pg_terminate_backend($1)', [n.backendPid])
    await eventually(async () => (await statesById(ids))[0] === 'available', 10_000, 'a catch-up tick')
    expect(wakes).toEqual(['all'])
  })

  it('runs on a single node with the isolated notifier: solitary sonar, elected leader, global mode', async () => {
    const n = new IsolatedNotifier({prefix: 'public', ident: 'Oban.solo', logger, instance: 'Oban'})
    await n.start()
    running.push(() => n.stop())
    const sonar = new Sonar({notifier: n, node: 'solo', instance: 'Oban', logger})
    running.push(() => sonar.stop())
    await sonar.start()
    await eventually(() => sonar.status === 'solitary', 5_000, 'the sonar to hear itself')
    const peer = new Peer({
      pool,
      notifier: n,
      config: {name: 'Oban', node: 'solo', prefix: 'public', peer: true},
      logger,
    })
    running.push(() => peer.stop())
    await peer.start()
    const heard: unknown[] = []
    n.listen('insert', (payload) => heard.push(payload))
    const wakes: (string[] | 'all')[] = []
    const s = new Stager({
      pool,
      notifier: n,
      config: {name: 'Oban', node: 'solo', prefix: 'public', stager: {interval: 60_000, limit: 10}},
      logger,
      isLeader: () => peer.isLeader,
      sonarStatus: () => sonar.status,
      wakeLocal: (queues) => wakes.push(queues),
    })
    running.push(() => s.stop())
    const ids = await insertRaw(pool, [{queue: 'solo', state: 'scheduled', scheduledIn: -1}])
    await s.tick()
    expect(s.currentMode).toBe('global')
    expect(await statesById(ids)).toEqual(['available'])
    await eventually(() => heard.length > 0, 5_000, 'the in-process insert notification')
    expect(heard).toEqual([{queue: 'solo'}])
    expect(wakes).toEqual([])
  })

  it('never ticks with stager: false', async () => {
    const ids = await insertRaw(pool, [{queue: 'off', state: 'scheduled', scheduledIn: -1}])
    const {stager: s, wakes} = await stager({stager: false, status: 'isolated'})
    s.start()
    await s.tick()
    await settle()
    expect(await statesById(ids)).toEqual(['scheduled'])
    expect(wakes).toEqual([])
  })
})
