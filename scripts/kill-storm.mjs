#!/usr/bin/env node
// A kill storm against real `oban start` processes (issue 12, "Done when"):
//
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node scripts/kill-storm.mjs
//   options: --jobs 10000 --kills 20 --nodes 3 --limit 5 --keep (keep the database)
//
// It creates a database of its own on the DATABASE_URL server, migrates it, starts --nodes nodes
// (bin/run.js, the installed CLI, on dist/) running Lifeline (interval 1s, rescueAfter 2s) and a
// worker whose jobs take 20–200 ms and record each run in `storm_runs`, inserts --jobs jobs, then
// SIGKILLs a random running node --kills times (one every 1.5–4 s), restarting each under a new
// node name at once. When every job is final it checks:
//
// - lost: jobs not completed (must be 0);
// - extra runs: runs beyond one per job, and whether each is explained by a kill (every run of a
//   job but its last was on a node that was SIGKILLed);
// - overwrites: a job completed while another run of it was still going (a run that finished
//   after the job's completed_at), or completed by a node other than the one that ran it last
//   (must be 0), and the stale acks the fence refused (`ignored the complete of attempt ...`).
//
// Exits 1 when a check fails. It is CPU-heavy: run it once, on a quiet machine if you can.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {setTimeout as delay} from 'node:timers/promises'
import {parseArgs} from 'node:util'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(REPO, 'package.json'))
const pg = require('pg')
const BIN = join(REPO, 'bin/run.js')
const LIBRARY = join(REPO, 'dist/src/index.js')

const {values: opts} = parseArgs({
  options: {
    jobs: {type: 'string', default: '10000'},
    kills: {type: 'string', default: '20'},
    nodes: {type: 'string', default: '3'},
    limit: {type: 'string', default: '5'},
    keep: {type: 'boolean', default: false},
  },
})
const JOBS = Number(opts.jobs)
const KILLS = Number(opts.kills)
const NODES = Number(opts.nodes)
const LIMIT = Number(opts.limit)
const adminUrl = process.env.DATABASE_URL
if (!adminUrl) {
  console.error('kill-storm: set DATABASE_URL to a PostgreSQL server (a database of its own is created there)')
  process.exit(2)
}

const sleep = (ms) => delay(ms)
const between = (min, max) => min + Math.floor(Math.random() * (max - min + 1))
const started = Date.now()
const clock = () => `${((Date.now() - started) / 1000).toFixed(1)}s`
const say = (line) => console.log(`[${clock()}] ${line}`)

const dbName = `kill_storm_${process.pid}_${Date.now()}`
const url = new URL(adminUrl)
url.pathname = `/${dbName}`
const DB_URL = url.toString()
const admin = new pg.Client({connectionString: adminUrl})
await admin.connect()
await admin.query(`CREATE DATABASE ${dbName}`)
const pool = new pg.Pool({connectionString: DB_URL, max: 4})
pool.on('error', () => {})

const dir = mkdtempSync(join(tmpdir(), 'oban-kill-storm-'))
writeFileSync(
  join(dir, 'workers.mjs'),
  `import {createRequire} from 'node:module'
import {defineWorker} from ${JSON.stringify(LIBRARY)}
const require = createRequire(${JSON.stringify(join(REPO, 'package.json'))})
const pg = require('pg')
const pool = new pg.Pool({connectionString: process.env.STORM_DATABASE_URL, max: ${LIMIT + 2}, allowExitOnIdle: true})
pool.on('error', () => {})

export const Work = defineWorker({
  name: 'Storm.Work',
  async perform(job) {
    const node = (job.attemptedBy ?? [])[0] ?? null
    const {rows} = await pool.query(
      'INSERT INTO storm_runs (job_id, attempt, node) VALUES ($1, $2, $3) RETURNING run_id',
      [job.id, job.attempt, node],
    )
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 181)))
    await pool.query('UPDATE storm_runs SET finished_at = clock_timestamp() WHERE run_id = $1', [rows[0].run_id])
  },
})
`,
)
const config = join(dir, 'oban.config.json')
writeFileSync(
  config,
  JSON.stringify({
    workers: ['./workers.mjs'],
    queues: {default: LIMIT},
    plugins: [['Lifeline', {interval: '1s', rescueAfter: '2s'}]],
  }),
)

const nodes = new Map() // slot -> current incarnation
const incarnations = []
let cleaning = false

function startNode(slot, generation) {
  const name = `storm-${slot}.${generation}`
  const child = spawn(process.execPath, [BIN, 'start', '--config', config, '--node', name, '--database-url', DB_URL], {
    cwd: dir,
    env: {...process.env, STORM_DATABASE_URL: DB_URL, NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const node = {slot, generation, name, child, log: '', running: false, killed: false}
  node.exited = new Promise((resolve) => child.on('exit', resolve))
  node.ready = new Promise((resolve) => {
    const onData = (data) => {
      node.log += data
      if (!node.running && /is running on/.test(node.log)) {
        node.running = true
        resolve()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void node.exited.then(() => resolve())
  })
  void node.exited.then((code) => {
    node.running = false
    if (!node.killed && !cleaning) say(`${name} exited on its own (${code}): ${node.log.slice(-400)}`)
  })
  nodes.set(slot, node)
  incarnations.push(node)
  return node
}

async function cleanup() {
  cleaning = true
  for (const node of nodes.values()) if (node.running || node.child.exitCode === null) node.child.kill('SIGTERM')
  await Promise.race([Promise.all([...nodes.values()].map((n) => n.exited)), sleep(30_000)])
  for (const node of nodes.values()) if (node.child.exitCode === null) node.child.kill('SIGKILL')
  await pool.end()
  if (!opts.keep) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  else say(`kept database ${DB_URL}`)
  await admin.end()
  rmSync(dir, {recursive: true, force: true})
}

try {
  await new Promise((resolve, reject) => {
    const migrate = spawn(process.execPath, [BIN, 'migrate', '--database-url', DB_URL], {stdio: 'ignore'})
    migrate.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`oban migrate exited ${code}`))))
  })
  await pool.query(`CREATE TABLE storm_runs (
    run_id bigserial PRIMARY KEY,
    job_id bigint NOT NULL,
    attempt int,
    node text,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz
  )`)
  say(`database ${dbName}; starting ${NODES} nodes (queue default, limit ${LIMIT} each; Lifeline 1s/2s)`)
  const generation = new Map()
  for (let slot = 1; slot <= NODES; slot++) generation.set(slot, 0)
  await Promise.all([...generation.keys()].map((slot) => startNode(slot, 0).ready))
  say(`nodes running: ${[...nodes.values()].map((n) => n.name).join(', ')}`)

  await pool.query(
    `INSERT INTO oban_jobs (worker, queue, args)
     SELECT 'Storm.Work', 'default', jsonb_build_object('n', g) FROM generate_series(1, $1::int) AS g`,
    [JOBS],
  )
  await pool.query(`SELECT pg_notify('public.oban_insert', '{"queue":"default"}')`)
  say(`inserted ${JOBS} jobs`)

  const kills = []
  for (let i = 1; i <= KILLS; i++) {
    await sleep(between(1500, 4000))
    const running = [...nodes.values()].filter((n) => n.running)
    if (running.length === 0) {
      i--
      await sleep(500)
      continue
    }
    const victim = running[between(0, running.length - 1)]
    const {rows} = await pool.query(
      `SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'executing' AND attempted_by[1] = $1`,
      [victim.name],
    )
    victim.killed = true
    victim.child.kill('SIGKILL')
    await victim.exited
    kills.push({node: victim.name, executing: rows[0].n})
    const next = generation.get(victim.slot) + 1
    generation.set(victim.slot, next)
    const replacement = startNode(victim.slot, next)
    say(
      `kill ${i}/${KILLS}: SIGKILL ${victim.name} (${rows[0].n} jobs executing there); restarting as ${replacement.name}`,
    )
  }

  const deadline = Date.now() + 20 * 60_000
  let lastReport = 0
  for (;;) {
    const {rows} = await pool.query(
      `SELECT count(*) FILTER (WHERE state IN ('completed', 'discarded', 'cancelled'))::int AS final,
              count(*) FILTER (WHERE state = 'completed')::int AS completed,
              count(*) FILTER (WHERE state = 'executing')::int AS executing
         FROM oban_jobs`,
    )
    if (rows[0].final === JOBS) break
    if (Date.now() > deadline) {
      say(`gave up waiting: ${JSON.stringify(rows[0])}`)
      break
    }
    if (Date.now() - lastReport > 10_000) {
      say(`progress: ${rows[0].completed}/${JOBS} completed, ${rows[0].executing} executing`)
      lastReport = Date.now()
    }
    await sleep(500)
  }
  const elapsedS = (Date.now() - started) / 1000
  await Promise.all([...nodes.values()].map((n) => n.ready))

  const killed = kills.map((k) => k.node)
  const q = async (text, values = []) => (await pool.query(text, values)).rows[0]
  const states = await q(
    `SELECT count(*) FILTER (WHERE state = 'completed')::int AS completed,
            count(*) FILTER (WHERE state <> 'completed')::int AS lost
       FROM oban_jobs`,
  )
  const runs = await q(
    `SELECT count(*)::int AS total, count(DISTINCT job_id)::int AS jobs,
            count(*) FILTER (WHERE finished_at IS NULL)::int AS interrupted
       FROM storm_runs`,
  )
  // Every run of a job but its last must have been on a node that was SIGKILLed.
  const unexplained = await q(
    `SELECT count(*)::int AS n FROM (
       SELECT node, row_number() OVER (PARTITION BY job_id ORDER BY started_at DESC, run_id DESC) AS rn FROM storm_runs
     ) AS r WHERE rn > 1 AND NOT (node = ANY($1))`,
    [killed],
  )
  // A completed job whose completion came before one of its runs finished: an ack that
  // overwrote a live run.
  const overwrites = await q(
    `SELECT count(*)::int AS n FROM oban_jobs AS j
      WHERE j.state = 'completed' AND EXISTS (
        SELECT 1 FROM storm_runs AS r
         WHERE r.job_id = j.id AND r.finished_at IS NOT NULL AND r.finished_at > (j.completed_at AT TIME ZONE 'UTC'))`,
  )
  // Completed by a node other than the one that ran it last.
  const wrongNode = await q(
    `SELECT count(*)::int AS n FROM oban_jobs AS j
       JOIN LATERAL (SELECT node FROM storm_runs AS r WHERE r.job_id = j.id ORDER BY started_at DESC, run_id DESC LIMIT 1) AS last ON true
      WHERE j.state = 'completed' AND j.attempted_by[1] IS DISTINCT FROM last.node`,
  )
  // Two finished runs of one job that overlapped in time: a job run twice at once by live nodes.
  const overlaps = await q(
    `SELECT count(*)::int AS n FROM storm_runs AS a JOIN storm_runs AS b
        ON a.job_id = b.job_id AND a.run_id < b.run_id
     WHERE a.finished_at IS NOT NULL AND b.finished_at IS NOT NULL
       AND a.started_at < b.finished_at AND b.started_at < a.finished_at`,
  )
  const staleAcks = incarnations.reduce(
    (n, node) => n + (node.log.match(/ignored the \w+ of attempt/g) ?? []).length,
    0,
  )
  const inFlight = kills.reduce((n, k) => n + k.executing, 0)
  const extra = runs.total - runs.jobs
  const figures = {
    jobs: JOBS,
    nodes: NODES,
    limitPerNode: LIMIT,
    kills: kills.length,
    seconds: Math.round(elapsedS),
    completed: states.completed,
    lost: states.lost,
    runs: runs.total,
    extraRuns: extra,
    interruptedRuns: runs.interrupted,
    executingOnKilledNodes: inFlight,
    unexplainedExtraRuns: unexplained.n,
    ackOverwrites: overwrites.n,
    completedByAnotherNode: wrongNode.n,
    overlappingLiveRuns: overlaps.n,
    staleAcksRefused: staleAcks,
  }
  console.log('\nkill storm figures')
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(24)} ${value}`)
  console.log(JSON.stringify(figures))
  const ok = states.lost === 0 && unexplained.n === 0 && overwrites.n === 0 && wrongNode.n === 0
  console.log(ok ? 'OK: 0 lost, every extra run explained by a kill, 0 acks over a live run' : 'FAILED')
  process.exitCode = ok ? 0 : 1
} catch (error) {
  console.error(`kill-storm: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
