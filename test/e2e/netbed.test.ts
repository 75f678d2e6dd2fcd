import {execFileSync, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {userInfo} from 'node:os'
import pg from 'pg'
import {afterAll, describe, expect, it} from 'vitest'
import {migrateUp} from '../../src/db/migrations/index.js'
import {createPool, type Pool} from '../../src/db/pool.js'
import {REPO} from '../helpers/cli.js'
import {createFixture, createRunsTable, insertJobs, quick, spawnOban, type ObanProcess} from '../helpers/e2e.js'
import {eventually} from '../helpers/oban-db.js'

// Two hosts of scripts/netbed.sh (network namespaces on a bridge, PostgreSQL of its own reached
// over the virtual network with 5 ms ± 2 ms each way), one `oban start` node on each. Jobs run
// once across both; when the leader's host is cut off, leadership moves to the other host; once
// the link is back, the cut-off node rejoins without a restart. Its own bed (NETBED_ID 9), so a
// bed set up by hand is left alone.

const NETBED = join(REPO, 'scripts/netbed.sh')
const env = {...process.env, NETBED_ID: '9'}
const skip = skipReason()
function skipReason(): string | undefined {
  if (userInfo().uid !== 0) return 'not root: network namespaces need root'
  if (spawnSync('ip', ['-V']).status !== 0) return 'no ip command (apt-get install iproute2)'
  if (spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb']).status !== 0)
    return 'no PostgreSQL server binaries (apt-get install postgresql)'
  return undefined
}
const netbed = (...args: string[]) => execFileSync(NETBED, args, {encoding: 'utf8', env}).trim()

let pool: Pool | undefined
let url = ''
if (!skip) {
  netbed('up', '2')
  const admin = new pg.Client({connectionString: 'postgres://postgres@127.0.0.1:5442/postgres'})
  await admin.connect()
  await admin.query('DROP DATABASE IF EXISTS oban_netbed_test WITH (FORCE)')
  await admin.query('CREATE DATABASE oban_netbed_test')
  await admin.end()
  url = 'postgres://postgres@127.0.0.1:5442/oban_netbed_test'
  pool = createPool(url, {max: 4})
  await migrateUp(pool, {prefix: 'public'})
  await createRunsTable(pool)
}
afterAll(async () => {
  await pool?.end()
  if (!skip) netbed('down')
})
const fixture = createFixture(url)
const config = fixture.config({queues: {default: 5}, plugins: []}, 'netbed.json')

function startOn(host: string, node: string): ObanProcess {
  const hostUrl = netbed('url', host, 'oban_netbed_test')
  return spawnOban(['start', '--database-url', hostUrl, '--config', config, '--node', node], {
    cwd: fixture.dir,
    env: {E2E_DATABASE_URL: hostUrl, NETBED_ID: '9'},
    node,
    wrap: [NETBED, 'exec', host],
  })
}

async function leader(): Promise<string | undefined> {
  const {rows} = await pool!.query<{node: string}>(
    `SELECT node FROM oban_peers WHERE name = 'Oban' AND expires_at > timezone('UTC', now())`,
  )
  return rows[0]?.node
}

const seenAt = async (node: string): Promise<number> => {
  const {rows} = await pool!.query<{seen_at: Date}>('SELECT seen_at FROM oban_ts_nodes WHERE node = $1', [node])
  return rows[0]?.seen_at.getTime() ?? 0
}

describe.skipIf(skip !== undefined)(
  `across network namespaces${skip ? ` (skipped: ${skip})` : ''}`,
  {timeout: 400_000},
  () => {
    it('runs jobs once across hosts, moves leadership off a cut-off host, and lets it rejoin', async () => {
      // The first node leads; the second starts once it does.
      const a = startOn('obanbed9h1', 'a')
      await a.waitFor(/is running on/, {timeoutMs: 120_000})
      await eventually(async () => (await leader()) === 'a', 60_000, 'a leads')
      const b = startOn('obanbed9h2', 'b')
      await b.waitFor(/is running on/, {timeoutMs: 120_000})

      const jobs = await insertJobs(
        pool!,
        Array.from({length: 400}, (_, i) => quick({i})),
      )
      await eventually(
        async () => {
          const {rows} = await pool!.query<{n: number}>(
            `SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'completed'`,
          )
          return rows[0]!.n === jobs.length
        },
        120_000,
        'jobs completed',
      )
      const {rows: runs} = await pool!.query<{node: string; runs: number; jobs: number}>(
        'SELECT node, count(*)::int AS runs, count(DISTINCT job_id)::int AS jobs FROM runs GROUP BY node ORDER BY node',
      )
      expect(runs.reduce((sum, r) => sum + r.runs, 0)).toBe(jobs.length)
      expect(runs.map((r) => r.node)).toEqual(['a', 'b'])

      // a's host is cut off: its lease expires (its session, held by the latency forwarder, stays
      // open, so it is not provably gone) and b takes over.
      netbed('cut', 'obanbed9h1')
      const cutAt = Date.now()
      await eventually(async () => (await leader()) === 'b', 120_000, 'b leads after a is cut off')
      expect(a.running).toBe(true)

      // Back: a writes its presence row again, without a restart, and follows.
      netbed('heal', 'obanbed9h1')
      await eventually(async () => (await seenAt('a')) > cutAt + 1_000, 120_000, 'a seen again after the heal')
      expect(await leader()).toBe('b')
      expect(a.running).toBe(true)
    })
  },
)
