// Drain throughput of `oban start --processes N`: the same jobs drained by 1 and by 2 node
// processes under one supervisor, interleaved (1, 2, 1, 2, ...) because the machine is shared.
// Two workloads: no-op jobs (the engine and PostgreSQL are the work) and CPU-bound jobs that spin
// for 5 ms (the worker is the work, and one Node process runs it on one core).
//
// Usage, after `npm run build`, from the repository root:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/processes.mjs
// Options (env): ROUNDS (default 2), NOOP_JOBS (20000), SPIN_JOBS (4000), SPIN_MS (5), LIMIT (10, per node).
// It creates and drops its own database (bench_processes). Throughput is counted from the jobs'
// own timestamps (first attempted_at to last completed_at), so process start-up is not in it.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {setTimeout as sleepFor} from 'node:timers/promises'
import pg from 'pg'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const ROUNDS = Number(process.env.ROUNDS ?? 2)
const NOOP_JOBS = Number(process.env.NOOP_JOBS ?? 20_000)
const SPIN_JOBS = Number(process.env.SPIN_JOBS ?? 4_000)
const SPIN_MS = Number(process.env.SPIN_MS ?? 5)
const LIMIT = Number(process.env.LIMIT ?? 10)
const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = 'bench_processes'
const url = Object.assign(new URL(admin), {pathname: `/${dbName}`}).toString()

const dir = mkdtempSync(join(tmpdir(), 'oban-bench-processes-'))
writeFileSync(
  join(dir, 'workers.mjs'),
  `import {defineWorker} from ${JSON.stringify(join(REPO, 'dist/src/index.js'))}
export const Noop = defineWorker({name: 'Bench.Noop', async perform() {}})
export const Spin = defineWorker({name: 'Bench.Spin', async perform() {
  const until = performance.now() + ${SPIN_MS}
  while (performance.now() < until) {}
}})
`,
)
const config = join(dir, 'oban.config.json')
writeFileSync(config, JSON.stringify({workers: ['./workers.mjs'], queues: {default: LIMIT}, plugins: false}))

async function adminQuery(sql) {
  const client = new pg.Client({connectionString: admin})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

function run(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/run.js'), ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {...process.env, DATABASE_URL: url},
      ...options,
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`oban ${args.join(' ')}: ${code}\n${out}`)),
    )
  })
}

async function drain(pool, worker, count, processes) {
  await pool.query('TRUNCATE oban_jobs')
  await pool.query(
    `INSERT INTO oban_jobs (state, queue, worker, args, max_attempts)
     SELECT 'available', 'default', $1, jsonb_build_object('i', i), 1 FROM generate_series(1, $2) i`,
    [worker, count],
  )
  await pool.query('VACUUM ANALYZE oban_jobs')
  const node = spawn(
    process.execPath,
    [join(REPO, 'bin/run.js'), 'start', '--config', config, '--processes', String(processes), '--log-level', 'warn'],
    {cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, DATABASE_URL: url}},
  )
  const exited = new Promise((resolve) => node.on('close', resolve))
  for (;;) {
    const {rows} = await pool.query(`SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'completed'`)
    if (rows[0].n >= count) break
    await sleepFor(250)
  }
  node.kill('SIGTERM')
  const code = await exited
  if (code !== 0) throw new Error(`oban start --processes ${processes} exited ${code}`)
  const {rows} = await pool.query(
    `SELECT extract(epoch FROM max(completed_at) - min(attempted_at))::float AS s,
            count(DISTINCT attempted_by[1])::int AS nodes
       FROM oban_jobs WHERE state = 'completed'`,
  )
  return {seconds: rows[0].s, jobsPerSecond: count / rows[0].s, nodes: rows[0].nodes}
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

await adminQuery(`DROP DATABASE IF EXISTS ${dbName}`)
await adminQuery(`CREATE DATABASE ${dbName}`)
await run(['migrate'])
const pool = new pg.Pool({connectionString: url, max: 2})
const results = {}
try {
  for (const [label, worker, count] of [
    ['no-op', 'Bench.Noop', NOOP_JOBS],
    [`spin ${SPIN_MS} ms`, 'Bench.Spin', SPIN_JOBS],
  ]) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const processes of [1, 2]) {
        const r = await drain(pool, worker, count, processes)
        ;(results[`${label}|${processes}`] ??= []).push(r.jobsPerSecond)
        console.log(
          `${label.padEnd(10)} round ${round} processes ${processes}: ${count} jobs in ${r.seconds.toFixed(2)} s = ${Math.round(r.jobsPerSecond)} jobs/s (${r.nodes} node(s) ran jobs)`,
        )
      }
    }
    const one = median(results[`${label}|1`])
    const two = median(results[`${label}|2`])
    const spread = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`
    console.log(
      `${label.padEnd(10)} median jobs/s: 1 process ${Math.round(one)} (${spread(results[`${label}|1`])}), 2 processes ${Math.round(two)} (${spread(results[`${label}|2`])}): ${(two / one).toFixed(2)}x`,
    )
  }
} finally {
  await pool.end()
  await adminQuery(`DROP DATABASE IF EXISTS ${dbName}`)
  rmSync(dir, {recursive: true, force: true})
}
