// Shared by bench/fleet.ts and bench/netbed.ts: a scratch database, a fixture project with a no-op
// worker, real `oban start` processes, and the figures read back from oban_jobs.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import pg from 'pg'
import {insertAllJobs} from '../src/client/insert-all.js'
import {migrateUp} from '../src/db/migrations/index.js'
import {createPool, type Pool} from '../src/db/pool.js'

export const REPO = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(REPO, 'bin/run.js')
const LIBRARY = join(REPO, 'dist/src/index.js')

export const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** A fresh migrated database on the server of `adminUrl`; `drop()` removes it. */
export async function scratchDatabase(
  adminUrl: string,
  name: string,
): Promise<{url: string; pool: Pool; drop(): Promise<void>}> {
  await admin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await admin(adminUrl, `CREATE DATABASE "${name}"`)
  const url = withDatabase(adminUrl, name)
  const pool = createPool(url, {max: 4})
  await migrateUp(pool, {prefix: 'public'})
  return {
    url,
    pool,
    async drop() {
      await pool.end()
      await admin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    },
  }
}

/** A project directory with oban.config.json (queue default, no plugins) and a no-op worker. */
export function fixtureProject(options: Record<string, unknown> = {}): {dir: string; config: string; remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'oban-fleet-'))
  writeFileSync(
    join(dir, 'workers.mjs'),
    `import {defineWorker} from ${JSON.stringify(LIBRARY)}\nexport const Noop = defineWorker({name: 'Fleet.Noop', perform() {}})\n`,
  )
  const config = join(dir, 'oban.config.json')
  writeFileSync(config, JSON.stringify({workers: ['./workers.mjs'], queues: {default: 10}, plugins: [], ...options}))
  return {dir, config, remove: () => rmSync(dir, {recursive: true, force: true})}
}

export interface NodeProcess {
  node: string
  child: ChildProcess
  output(): string
  running: Promise<void>
  exited: Promise<number | null>
}

/** `oban start` (optionally wrapped, e.g. `ip netns exec HOST`), resolved once it runs. */
export function startNode(node: string, args: string[], cwd: string, wrap: string[] = []): NodeProcess {
  const command = [...wrap, process.execPath, BIN, 'start', '--node', node, ...args]
  const env = {...process.env}
  delete env.NODE_ENV
  const child = spawn(command[0]!, command.slice(1), {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let resolveRunning: () => void
  let rejectRunning: (error: Error) => void
  const running = new Promise<void>((resolve, reject) => {
    resolveRunning = resolve
    rejectRunning = reject
  })
  const onData = (chunk: Buffer) => {
    out += chunk.toString()
    if (/is running on/.test(out)) resolveRunning()
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      rejectRunning(new Error(`${node} exited (${code}) before running:\n${out}`))
      resolve(code)
    }),
  )
  return {node, child, output: () => out, running, exited}
}

/** Inserts `count` no-op jobs in statements of 5,000. */
export async function insertJobs(pool: Pool, count: number, queue = 'default'): Promise<void> {
  for (let done = 0; done < count; done += 5000) {
    const n = Math.min(5000, count - done)
    await insertAllJobs(
      {pool, prefix: 'public', insertTrigger: true},
      Array.from({length: n}, (_, i) => ({worker: 'Fleet.Noop', args: {i: done + i}, queue})),
    )
  }
}

/** Waits until `count` jobs are completed; returns the seconds it took. */
export async function drain(pool: Pool, count: number, timeoutMs = 1_800_000): Promise<number> {
  const started = performance.now()
  for (;;) {
    const {rows} = await pool.query<{n: number}>(`SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'completed'`)
    if (rows[0]!.n >= count) return (performance.now() - started) / 1000
    if (performance.now() - started > timeoutMs) throw new Error(`drain timed out at ${rows[0]!.n}/${count}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/**
 * Insert→start latency of an idle queue: `samples` jobs inserted one at a time, `gapMs` apart;
 * percentiles of attempted_at − inserted_at (both the server's clock) in ms.
 */
export async function idleLatency(
  pool: Pool,
  samples = 60,
  gapMs = 150,
): Promise<{p50: number; p90: number; max: number}> {
  const ids: string[] = []
  for (let i = 0; i < samples; i++) {
    const [job] = await insertAllJobs({pool, prefix: 'public', insertTrigger: true}, [
      {worker: 'Fleet.Noop', args: {latency: i}, queue: 'default'},
    ])
    ids.push(job!.id)
    await new Promise((resolve) => setTimeout(resolve, gapMs))
  }
  for (;;) {
    const {rows} = await pool.query<{n: number}>(
      `SELECT count(*)::int AS n FROM oban_jobs WHERE id = ANY($1) AND state = 'completed'`,
      [ids],
    )
    if (rows[0]!.n === ids.length) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const {rows} = await pool.query<{p50: number; p90: number; max: number}>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90, max(ms) AS max
       FROM (SELECT extract(epoch FROM attempted_at - inserted_at) * 1000 AS ms FROM oban_jobs WHERE id = ANY($1)) AS t`,
    [ids],
  )
  const round = (x: number) => Math.round(Number(x))
  return {p50: round(rows[0]!.p50), p90: round(rows[0]!.p90), max: round(rows[0]!.max)}
}

/** Jobs not completed in exactly one attempt (each job must run once). */
export async function notOnce(pool: Pool): Promise<number> {
  const {rows} = await pool.query<{n: number}>(
    `SELECT count(*)::int AS n FROM oban_jobs WHERE state <> 'completed' OR attempt <> 1`,
  )
  return rows[0]!.n
}

/** Stops the nodes with SIGTERM and waits for them. */
export async function stopNodes(nodes: NodeProcess[]): Promise<void> {
  for (const n of nodes) n.child.kill('SIGTERM')
  await Promise.all(nodes.map((n) => n.exited))
}

/** Lines of the nodes' output that look like trouble. */
export function troubleLines(nodes: NodeProcess[], pattern = /error|failed|ECONN|prepared statement|lost/i): string[] {
  return nodes.flatMap((n) =>
    n
      .output()
      .split('\n')
      .filter((line) => pattern.test(line))
      .map((line) => `${n.node}: ${line}`),
  )
}
