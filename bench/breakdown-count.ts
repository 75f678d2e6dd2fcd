// The Breakdown's count on a big table: a plain GROUP BY (every row read) against countBreakdown
// (exact through the index where cheap, the planner's estimate for big final states). Creates a
// scratch database, fills it with JOBS jobs (default 1,000,000) by INSERT ... SELECT
// generate_series, VACUUM ANALYZEs it, times each variant (warm, median of RUNS), prints the
// estimates' error, and drops the database. Run from the repository root:
//   ADMIN_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/breakdown-count.ts
import pg from 'pg'
import {migrateUp} from '../src/db/migrations/index.js'
import {createPool} from '../src/db/pool.js'
import {countBreakdown, type BreakdownCount} from '../plugins/breakdown/count-breakdown.js'

const adminUrl = process.env.ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const jobs = Number(process.env.JOBS ?? 1_000_000)
const runs = Number(process.env.RUNS ?? 5)
const database = `oban_breakdown_bench_${process.pid}`

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({connectionString: adminUrl})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

async function time<T>(fn: () => Promise<T>): Promise<{ms: number; result: T}> {
  const times: number[] = []
  let result: T | undefined
  for (let i = 0; i < runs + 1; i++) {
    const started = performance.now()
    result = await fn()
    // The first run warms the cache and is not counted.
    if (i > 0) times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return {ms: times[Math.floor(times.length / 2)]!, result: result!}
}

await admin(`CREATE DATABASE "${database}"`)
const url = new URL(adminUrl)
url.pathname = `/${database}`
const pool = createPool(url.toString(), {max: 2})
try {
  await migrateUp(pool, {prefix: 'public'})
  // Mostly completed jobs, as a busy system between prunes; eight queues of unequal size, and a
  // `reports` queue whose jobs fail far more often than the others' (queue and state correlated).
  const started = performance.now()
  await pool.query(
    `INSERT INTO oban_jobs (state, queue, worker, args, priority, scheduled_at)
     SELECT (CASE
               WHEN q = 'reports' AND r < 0.5 THEN 'discarded'
               WHEN r < 0.82 THEN 'completed' WHEN r < 0.86 THEN 'discarded' WHEN r < 0.88 THEN 'cancelled'
               WHEN r < 0.95 THEN 'available' WHEN r < 0.985 THEN 'scheduled' WHEN r < 0.995 THEN 'retryable'
               ELSE 'executing' END)::oban_job_state,
            q, 'Bench.Worker', jsonb_build_object('n', g), g % 4,
            timezone('UTC', now()) + ((g % 100) - 50) * interval '1 minute'
       FROM (SELECT g, random() AS r,
                    (ARRAY['default','default','default','events','events','mailers','media','reports'])[1 + g % 8] AS q
               FROM generate_series(1, $1::int) AS g) AS s`,
    [jobs],
  )
  await pool.query('VACUUM ANALYZE oban_jobs')
  console.log(`${jobs} jobs inserted and analysed in ${((performance.now() - started) / 1000).toFixed(1)} s`)

  const plain = await time(async () => {
    const {rows} = await pool.query<{queue: string; state: BreakdownCount['state']; count: string}>(
      'SELECT queue, state::text AS state, count(*) AS count FROM oban_jobs GROUP BY queue, state',
    )
    return rows.map((row) => ({...row, count: Number(row.count)}))
  })
  const exact = await time(() => countBreakdown(pool, 'public', {estimateAbove: Infinity}))
  const estimated = await time(() => countBreakdown(pool, 'public'))
  console.log(`plain GROUP BY queue, state:          ${plain.ms.toFixed(1)} ms`)
  console.log(`countBreakdown, exact (no estimates): ${exact.ms.toFixed(1)} ms`)
  console.log(`countBreakdown, estimates (default):  ${estimated.ms.toFixed(1)} ms`)

  const truth = new Map(exact.result.map((row) => [`${row.queue}/${row.state}`, row.count]))
  for (const row of estimated.result.filter((r) => r.approximate)) {
    const actual = truth.get(`${row.queue}/${row.state}`) ?? 0
    const error = actual === 0 ? Infinity : ((row.count - actual) / actual) * 100
    console.log(
      `  ~ ${row.queue}/${row.state}: estimate ${row.count}, actual ${actual} (${error >= 0 ? '+' : ''}${error.toFixed(1)}%)`,
    )
  }
} finally {
  await pool.end()
  if (process.env.KEEP_DB) console.log(`kept database ${database}`)
  else await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
}
