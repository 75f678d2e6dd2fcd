// 50 real `oban start` processes through one PgBouncer (transaction mode, default_pool_size 20):
// drains JOBS no-op jobs, then measures insert→start latency of an idle queue, once with a direct
// notifier URL and once without a notifier (polling). Needs a server with room for the direct
// connections (50 LISTEN sessions): scripts/netbed.sh up gives one at 127.0.0.1:5433.
//   ADMIN_URL=postgres://postgres@127.0.0.1:5433/postgres NODES=50 JOBS=50000 node --import tsx bench/fleet.ts
import {startPgBouncer} from '../test/helpers/pgbouncer.js'
import {
  drain,
  fixtureProject,
  idleLatency,
  insertJobs,
  notOnce,
  scratchDatabase,
  startNode,
  stopNodes,
  troubleLines,
} from './fleet-support.js'

const adminUrl = process.env.ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres'
const nodes = Number(process.env.NODES ?? 50)
const jobs = Number(process.env.JOBS ?? 50_000)
const serverPool = Number(process.env.SERVER_POOL ?? 20)
const poolSize = Number(process.env.POOL_SIZE ?? 5)
const modes = (process.env.MODES ?? 'notifier,polling').split(',')

for (const mode of modes) {
  const db = await scratchDatabase(adminUrl, `oban_fleet_${mode}`)
  const bouncer = await startPgBouncer(db.url, {poolSize: serverPool})
  const project = fixtureProject({poolSize})
  const notifierArgs = mode === 'notifier' ? ['--notifier-url', db.url] : ['--notifier', 'none']
  const args = ['--database-url', bouncer.url, '--prepare', 'unnamed', ...notifierArgs, '--config', project.config]
  const bootStarted = performance.now()
  const running = Array.from({length: nodes}, (_, i) => startNode(`f${i + 1}`, args, project.dir))
  try {
    await Promise.all(running.map((n) => n.running))
    const bootSeconds = (performance.now() - bootStarted) / 1000
    const insertStarted = performance.now()
    await insertJobs(db.pool, jobs)
    const insertSeconds = (performance.now() - insertStarted) / 1000
    const drainSeconds = await drain(db.pool, jobs)
    const once = await notOnce(db.pool)
    const latency = await idleLatency(db.pool)
    const {rows} = await db.pool.query<{total: number; direct: number}>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE application_name = 'oban_notifier')::int AS direct
         FROM pg_stat_activity WHERE datname = current_database()`,
    )
    const {rows: presence} = await db.pool.query<{pool: number; own: number}>(
      `SELECT sum((meta->'connections'->>'pool')::int)::int AS pool,
              sum((meta->'connections'->>'notifier')::int + (meta->'connections'->>'lease')::int)::int AS own
         FROM oban_ts_nodes`,
    )
    const trouble = [
      ...troubleLines(running),
      ...bouncer
        .log()
        .split('\n')
        .filter((l) => /ERROR|WARNING/.test(l)),
    ]
    console.log(
      JSON.stringify({
        mode,
        nodes,
        jobs,
        serverPool,
        nodePoolSize: poolSize,
        bootSeconds: Math.round(bootSeconds),
        insertSeconds: Math.round(insertSeconds * 10) / 10,
        drainSeconds: Math.round(drainSeconds * 10) / 10,
        jobsPerSecond: Math.round(jobs / drainSeconds),
        notCompletedOnce: once,
        idleLatencyMs: latency,
        serverConnections: rows[0],
        clientConnectionsToPgBouncer: presence[0]?.pool,
        ownSessions: presence[0]?.own,
        troubleLines: trouble.length,
        trouble: trouble.slice(0, 5),
      }),
    )
  } finally {
    await stopNodes(running)
    await bouncer.stop()
    await db.drop()
    project.remove()
  }
}
