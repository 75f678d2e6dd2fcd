import {afterAll, describe, expect, it} from 'vitest'
import {createPool} from '../../src/db/pool.js'
import {listNodes} from '../../src/control/nodes.js'
import {
  createFixture,
  createRunsTable,
  insertJobs,
  quick,
  runOban,
  spawnOban,
  type ObanProcess,
} from '../helpers/e2e.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'
import {pgbouncerMissing, startPgBouncer} from '../helpers/pgbouncer.js'

// Real `oban start` processes whose database URL goes through Debian's PgBouncer in transaction
// mode with a small server pool (so that consecutive transactions of one client land on
// different server connections), each with a direct notifier URL, plus one node without a
// notifier. Everything a node does must work there: fetching and acking, leadership, queue
// signals sent through PgBouncer, plugin calls, and statements prepared without names.

const missing = pgbouncerMissing()
const {url, pool} = await migratedDatabase('e2e_pgbouncer')
const fixture = createFixture(url)
await createRunsTable(pool)
const bouncer = missing ? undefined : await startPgBouncer(url, {poolSize: 3})
afterAll(() => bouncer?.stop())

const config = fixture.config({queues: {default: 5}, plugins: [['Breakdown', {interval: '1s'}]]}, 'bouncer.json')

async function startNode(node: string, args: string[]): Promise<ObanProcess> {
  const proc = spawnOban(['start', '--database-url', bouncer!.url, '--config', config, '--node', node, ...args], {
    cwd: fixture.dir,
    env: {E2E_DATABASE_URL: url},
    node,
  })
  await proc.waitFor(/is running on/, {timeoutMs: 120_000})
  return proc
}

describe.skipIf(missing !== undefined)(
  `through PgBouncer in transaction mode${missing ? ` (skipped: ${missing})` : ''}`,
  {timeout: 300_000},
  () => {
    it('runs every job once, leads, hears signals and plugin calls via the notifier URL, and polls without one', async () => {
      const direct = ['--prepare', 'unnamed', '--notifier-url', url]
      const nodes = await Promise.all([
        startNode('b1', direct),
        startNode('b2', direct),
        startNode('b3', ['--prepare', 'unnamed', '--notifier', 'none']),
      ])
      // Inserts through PgBouncer as well, from a pool that prepares nothing.
      const pooled = createPool(bouncer!.url, {max: 4, prepare: 'unnamed'})
      try {
        const jobs = await insertJobs(
          pooled,
          Array.from({length: 300}, (_, i) => quick({i})),
        )
        const ids = jobs.map((j) => j.id)
        await eventually(
          async () => {
            const {rows} = await pool.query<{n: number}>(
              `SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'completed'`,
            )
            return rows[0]!.n === ids.length
          },
          120_000,
          'all jobs completed',
        )
        const {rows: runs} = await pool.query<{job_id: string; n: number}>(
          'SELECT job_id, count(*)::int AS n FROM runs GROUP BY job_id',
        )
        expect(runs).toHaveLength(ids.length)
        expect(runs.every((r) => r.n === 1)).toBe(true)
      } finally {
        await pooled.end()
      }

      // Leadership on the lease session of the direct URL: one leader among b1 and b2, with the lock.
      await eventually(
        async () => (await listNodes(pool, {instance: 'Oban'})).some((n) => n.leader),
        60_000,
        'a leader',
      )

      // A queue signal sent through PgBouncer reaches the listening nodes.
      const bouncerCli = (...args: string[]) => runOban([...args, '--database-url', bouncer!.url], {cwd: fixture.dir})
      const signal = await bouncerCli('queue', 'pause', 'default')
      expect(signal.code).toBe(0)
      await eventually(
        async () => {
          const listed = await listNodes(pool, {instance: 'Oban'})
          const paused = (node: string) =>
            listed.find((n) => n.node === node)?.queues.find((q) => q.queue === 'default')?.paused
          return paused('b1') === true && paused('b2') === true
        },
        60_000,
        'b1 and b2 paused',
      )

      // b3 hears no signal, so its queue still runs: jobs inserted now can only be b3's, which it
      // finds by polling (it hears no insert notification either).
      const late = (
        await insertJobs(
          pool,
          Array.from({length: 10}, (_, i) => quick({late: i})),
        )
      ).map((j) => j.id)
      await eventually(
        async () => {
          const {rows} = await pool.query<{n: number}>(
            `SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'completed' AND id = ANY($1::bigint[])`,
            [late],
          )
          return rows[0]!.n === late.length
        },
        60_000,
        'the jobs inserted after the pause completed',
      )
      const {rows: lateRuns} = await pool.query<{node: string}>(
        'SELECT DISTINCT node FROM runs WHERE job_id = ANY($1::bigint[])',
        [late],
      )
      expect(lateRuns.map((r) => r.node)).toEqual(['b3'])

      // A plugin call: the request and the replies are notifications, heard on the direct URL.
      const call = await runOban(['plugin', 'pause', 'Breakdown', '--database-url', bouncer!.url], {
        cwd: fixture.dir,
        env: {OBAN_NOTIFIER_URL: url},
      })
      expect(call.stdout).toContain('Oban.b1: ok {"status":"paused"}')
      expect(call.stdout).toContain('Oban.b2: ok {"status":"paused"}')
      expect(call.stdout).toContain('Oban.b3: not callable from another process')

      expect(bouncer!.log()).not.toMatch(/prepared statement|unsupported startup parameter/i)
      for (const node of nodes) expect(node.stderr()).not.toMatch(/prepared statement|does not exist|connection lost/i)
    })
  },
)
