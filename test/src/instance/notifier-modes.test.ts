import pg from 'pg'
import {afterEach, describe, expect, it} from 'vitest'
import {Oban} from '../../../src/instance/oban.js'
import {sendQueueSignal} from '../../../src/client/queue-control.js'
import {listNodes} from '../../../src/control/nodes.js'
import {defineWorker} from '../../../src/index.js'
import {adminUrl} from '../../helpers/db.js'
import {eventually, insertRaw, migratedDatabase, readJob} from '../../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('notifier_modes')
const instances: Oban[] = []
const Quick = defineWorker({name: 'Test.Quick', perform: () => undefined})

afterEach(async () => {
  await Promise.all(instances.splice(0).map((o) => o.stop()))
})

// A second role, so that pg_stat_activity tells which URL a connection was made with.
const DIRECT_ROLE = 'oban_ts_direct_test'
async function directUrl(): Promise<string> {
  const admin = new pg.Client({connectionString: adminUrl()})
  await admin.connect()
  try {
    // Concurrent test files may create it at once: a duplicate is fine.
    try {
      await admin.query(`CREATE ROLE ${DIRECT_ROLE} LOGIN SUPERUSER`)
    } catch (error) {
      if (!['42710', '23505'].includes((error as {code?: string}).code ?? '')) throw error
    }
  } finally {
    await admin.end()
  }
  const u = new URL(url)
  u.username = DIRECT_ROLE
  return u.toString()
}

async function start(options: Record<string, unknown>): Promise<Oban> {
  const oban = new Oban({
    databaseUrl: url,
    logLevel: 'silent',
    queues: {default: 5},
    workers: [Quick],
    stager: {interval: 100},
    ...options,
  })
  instances.push(oban)
  await oban.start({pollInterval: 200, peerInterval: 2_000})
  return oban
}

/** The roles of this database's connections with this application name. */
async function roles(applicationName: string): Promise<string[]> {
  const {rows} = await pool.query<{usename: string}>(
    'SELECT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [applicationName],
  )
  return rows.map((r) => r.usename)
}

describe('notifierUrl', () => {
  it('LISTENs and holds the lease on the direct URL while the pool uses databaseUrl; signals arrive', async () => {
    const direct = await directUrl()
    const a = await start({node: 'a', notifierUrl: direct, prepare: 'unnamed'})
    expect(await roles('oban_notifier')).toEqual([DIRECT_ROLE])
    await eventually(() => a.isLeader, 15_000, 'a leads')
    // The pool's connections use databaseUrl; the lease session (same application name) the direct URL.
    const sessions = await roles(`oban-ts ${a.config.name} a`)
    expect(sessions.filter((r) => r === DIRECT_ROLE)).toHaveLength(1)
    expect(sessions.filter((r) => r !== DIRECT_ROLE).length).toBeGreaterThan(0)
    // A signal sent by another client (as `oban queue pause` does) reaches a through its direct LISTEN.
    await sendQueueSignal(pool, 'public', 'pause', {queue: 'default', instance: 'Oban', node: 'a'})
    await eventually(() => a.checkQueue('default')?.paused === true, 15_000, 'a paused by b')
  })
})

describe("notifier: 'none'", () => {
  it('polls for jobs, opens no LISTEN connection, applies its own signals and says so in its presence row', async () => {
    const oban = await start({node: 'poller', notifier: 'none'})
    expect(await roles('oban_notifier')).toEqual([])
    const [id] = await insertRaw(pool, [{worker: 'Test.Quick'}])
    await eventually(async () => (await readJob(pool, id!)).state === 'completed', 15_000, 'job completed by polling')
    await oban.pauseQueue({queue: 'default'})
    expect(oban.checkQueue('default')?.paused).toBe(true)
    const nodes = await listNodes(pool, {prefix: 'public', instance: 'Oban'})
    const row = nodes.find((n) => n.node === 'poller')
    expect(row?.notifier).toBe('none')
    // Its presence row counts its connections: the pool's only, no LISTEN session.
    expect(row?.connections).toMatchObject({poolSize: 10, notifier: 0})
    expect(row?.connections?.pool).toBeGreaterThan(0)
  })

  it('accepts false as none', async () => {
    const oban = new Oban({databaseUrl: url, notifier: false})
    expect(oban.config.notifier).toBe('none')
  })
})
