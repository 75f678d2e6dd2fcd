// Memory of `oban start`: the resident set size (RSS, /proc/<pid>/status VmRSS, Linux) of the node
// process, sampled every second.
//   1. idle: `oban start` with no config file (queue default, Breakdown, Lifeline, Pruner), IDLE_S seconds;
//   2. drain: DRAIN_JOBS no-op jobs inserted up front, drained by `oban start` (queue default:10, the
//      default plugins), sampled until the last one completed.
// Usage, after `npm run build`, from the repository root:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/memory.mjs
// Options (env): IDLE_S (60), DRAIN_JOBS (200000). It creates and drops its own database (bench_memory).
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {setTimeout as sleepFor} from 'node:timers/promises'
import pg from 'pg'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const IDLE_S = Number(process.env.IDLE_S ?? 60)
const DRAIN_JOBS = Number(process.env.DRAIN_JOBS ?? 200_000)
const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = 'bench_memory'
const url = Object.assign(new URL(admin), {pathname: `/${dbName}`}).toString()

const rssMb = (pid) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : NaN
}
const sleep = (ms) => sleepFor(ms)

async function adminQuery(sql) {
  const client = new pg.Client({connectionString: admin})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

function start(cwd, args) {
  const child = spawn(process.execPath, [join(REPO, 'bin/run.js'), 'start', '--log-level', 'warn', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {...process.env, DATABASE_URL: url},
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const running = (async () => {
    while (!out.includes('is running on')) {
      if (child.exitCode !== null) throw new Error(`oban start exited: ${out}`)
      await sleep(100)
    }
  })()
  const exited = new Promise((resolve) => child.on('close', resolve))
  return {child, running, exited}
}

const curve = (samples, points = 12) => {
  const step = Math.max(1, Math.floor(samples.length / points))
  return samples
    .filter((_, i) => i % step === 0 || i === samples.length - 1)
    .map((s) => `${s.t}s ${s.rss.toFixed(1)} MB${s.done === undefined ? '' : ` (${s.done} done)`}`)
    .join(', ')
}

await adminQuery(`DROP DATABASE IF EXISTS ${dbName}`)
await adminQuery(`CREATE DATABASE ${dbName}`)
const dir = mkdtempSync(join(tmpdir(), 'oban-bench-memory-'))
const pool = new pg.Pool({connectionString: url, max: 2})
try {
  // 1. Idle, with the defaults of a project without a config file.
  const idleDir = join(dir, 'idle')
  mkdirSync(idleDir)
  const idle = start(idleDir, ['--migrate'])
  await idle.running
  const idleSamples = []
  for (let t = 1; t <= IDLE_S; t++) {
    await sleep(1000)
    idleSamples.push({t, rss: rssMb(idle.child.pid)})
  }
  idle.child.kill('SIGTERM')
  await idle.exited
  const idleRss = idleSamples.map((s) => s.rss)
  console.log(`idle oban start (default plugins), ${IDLE_S} s: RSS ${curve(idleSamples)}`)
  console.log(`idle max ${Math.max(...idleRss).toFixed(1)} MB, last ${idleRss.at(-1).toFixed(1)} MB`)

  // 2. A long drain.
  writeFileSync(
    join(dir, 'workers.mjs'),
    `import {defineWorker} from ${JSON.stringify(join(REPO, 'dist/src/index.js'))}
export const Noop = defineWorker({name: 'Bench.Noop', async perform() {}})
`,
  )
  writeFileSync(
    join(dir, 'oban.config.json'),
    JSON.stringify({workers: ['./workers.mjs'], queues: {default: 10}, plugins: ['Lifeline', 'Pruner', 'Breakdown']}),
  )
  await pool.query('TRUNCATE oban_jobs')
  for (let done = 0; done < DRAIN_JOBS; done += 50_000) {
    await pool.query(
      `INSERT INTO oban_jobs (state, queue, worker, args, max_attempts)
       SELECT 'available', 'default', 'Bench.Noop', jsonb_build_object('i', i), 1 FROM generate_series(1, $1) i`,
      [Math.min(50_000, DRAIN_JOBS - done)],
    )
  }
  await pool.query('VACUUM ANALYZE oban_jobs')
  const drain = start(dir, ['--config', join(dir, 'oban.config.json')])
  await drain.running
  const started = Date.now()
  const samples = []
  for (let t = 1; ; t++) {
    await sleep(1000)
    const rss = rssMb(drain.child.pid)
    // Pruner may delete completed rows: count what is left to do instead.
    const {rows} = await pool.query(
      `SELECT count(*)::int AS n FROM oban_jobs WHERE state IN ('available', 'executing')`,
    )
    samples.push({t, rss, done: DRAIN_JOBS - rows[0].n})
    if (rows[0].n === 0) break
  }
  const seconds = (Date.now() - started) / 1000
  drain.child.kill('SIGTERM')
  await drain.exited
  console.log(`drain of ${DRAIN_JOBS} no-op jobs in ${seconds.toFixed(0)} s: RSS ${curve(samples, 16)}`)
  const rss = samples.map((s) => s.rss)
  const firstTenth = rss.slice(0, Math.max(1, Math.floor(rss.length / 10)))
  const lastTenth = rss.slice(-Math.max(1, Math.floor(rss.length / 10)))
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
  console.log(
    `drain RSS: max ${Math.max(...rss).toFixed(1)} MB; mean of the first tenth ${mean(firstTenth).toFixed(1)} MB, of the last tenth ${mean(lastTenth).toFixed(1)} MB`,
  )
} finally {
  await pool.end()
  await adminQuery(`DROP DATABASE IF EXISTS ${dbName}`)
  rmSync(dir, {recursive: true, force: true})
}
