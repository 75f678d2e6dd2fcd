// A bulk retry of JOBS discarded jobs (default 100,000) the way `oban job retry --state discarded
// --yes` does it: batches of 1,000 ids, each its own transaction. Creates a scratch database,
// fills it with one INSERT ... SELECT generate_series (plus HISTORY completed jobs that the filter
// must pass over, default 100,000), then times the retry and samples memory (rss and heapUsed)
// every 10 ms and after every batch, checks the result, prints one JSON line, and drops the
// database. With --expose-gc it also collects garbage after each batch and reports the largest
// heap still in use then (what the action retains, as opposed to garbage not yet collected).
// Run from the repository root:
//   ADMIN_URL=postgres://postgres@127.0.0.1:5432/test node --expose-gc --import tsx bench/bulk-retry.ts
import pg from 'pg'
import {migrateUp} from '../src/db/migrations/index.js'
import {createPool} from '../src/db/pool.js'
import {actOnJobs} from '../src/operator/act-on-jobs.js'

const adminUrl = process.env.ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const jobs = Number(process.env.JOBS ?? 100_000)
const history = Number(process.env.HISTORY ?? 100_000)
const database = `oban_bulk_retry_bench_${process.pid}`

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({connectionString: adminUrl})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

await admin(`CREATE DATABASE "${database}"`)
const url = new URL(adminUrl)
url.pathname = `/${database}`
const pool = createPool(url.toString(), {max: 2})
try {
  await migrateUp(pool, {prefix: 'public'})
  const fillStarted = performance.now()
  await pool.query(
    `INSERT INTO oban_jobs (worker, queue, state, args, attempt, max_attempts, errors, discarded_at)
     SELECT 'Bench.Worker', 'q' || (i % 4), 'discarded', jsonb_build_object('i', i), 3, 3,
            ARRAY[jsonb_build_object('attempt', 3, 'at', '2024-01-01T00:00:00Z', 'error', 'Error: boom')],
            timezone('UTC', now())
       FROM generate_series(1, $1) AS i`,
    [jobs],
  )
  await pool.query(
    `INSERT INTO oban_jobs (worker, queue, state, attempt, completed_at)
     SELECT 'Bench.Worker', 'q' || (i % 4), 'completed', 1, timezone('UTC', now()) FROM generate_series(1, $1) AS i`,
    [history],
  )
  await pool.query('VACUUM ANALYZE oban_jobs')
  const fillMs = performance.now() - fillStarted

  global.gc?.()
  const before = process.memoryUsage()
  let peakRss = before.rss
  let peakHeap = before.heapUsed
  const sample = () => {
    const {rss, heapUsed} = process.memoryUsage()
    peakRss = Math.max(peakRss, rss)
    peakHeap = Math.max(peakHeap, heapUsed)
  }
  let peakRetained = 0
  const afterBatch = () => {
    sample()
    if (!global.gc) return
    global.gc()
    peakRetained = Math.max(peakRetained, process.memoryUsage().heapUsed)
  }
  const sampler = setInterval(sample, 10)
  const started = performance.now()
  const result = await actOnJobs({
    pool,
    prefix: 'public',
    action: 'retry',
    filter: {states: ['discarded']},
    onProgress: afterBatch,
  })
  const ms = performance.now() - started
  clearInterval(sampler)
  sample()

  const {rows} = await pool.query<{n: number}>(
    `SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'available' AND max_attempts = 4 AND discarded_at IS NULL`,
  )
  if (rows[0]!.n !== jobs || result.changed !== jobs)
    throw new Error(`expected ${jobs} retried jobs, got ${rows[0]!.n}`)
  console.log(
    JSON.stringify({
      jobs,
      history,
      fillMs: Math.round(fillMs),
      retryMs: Math.round(ms),
      jobsPerSecond: Math.round(jobs / (ms / 1000)),
      batches: result.batches,
      skipped: result.skipped,
      rssBeforeMb: mb(before.rss),
      peakRssMb: mb(peakRss),
      heapBeforeMb: mb(before.heapUsed),
      peakHeapMb: mb(peakHeap),
      ...(global.gc ? {peakRetainedHeapMb: mb(peakRetained)} : {}),
    }),
  )
} finally {
  await pool.end()
  await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
}
