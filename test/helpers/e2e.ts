import {spawn, type ChildProcess} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach} from 'vitest'
import type {Pool} from '../../src/db/pool.js'
import {insertAllJobs} from '../../src/client/insert-all.js'
import type {Job} from '../../src/job/job.js'
import type {JobSpec} from '../../src/job/spec.js'
import {BIN, cliEnv, LIBRARY, REPO} from './cli.js'

/**
 * End-to-end support: real `oban` processes (the installed CLI's entry point on the compiled
 * dist/, see cli.ts), a fixture project in a temp directory whose workers record every run in a
 * `runs` table of the test database, and cleanup that kills every child whatever happened in the
 * test.
 */

export interface ObanProcess {
  readonly child: ChildProcess
  readonly node: string
  stdout(): string
  stderr(): string
  /** Resolves once the process has exited and its output is complete (never rejects). */
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  readonly running: boolean
  /**
   * Waits until `pattern` appears on a stream; rejects on timeout (60 s by default: only a broken
   * run waits that long) or as soon as the process exits without printing it.
   */
  waitFor(pattern: RegExp, options?: {stream?: 'stdout' | 'stderr'; timeoutMs?: number}): Promise<void>
  signal(signal: NodeJS.Signals): void
}

const children = new Set<ObanProcess>()
let cleanupRegistered = false

/** Kills (SIGKILL) every child still running after each test of the calling file (call at top level). */
export function killChildrenAfterEach(): void {
  if (cleanupRegistered) return
  cleanupRegistered = true
  const killAll = async () => {
    const alive = [...children].filter((p) => p.running)
    children.clear()
    for (const p of alive) p.signal('SIGKILL')
    await Promise.all(alive.map((p) => p.exited))
  }
  afterEach(killAll)
  afterAll(killAll)
}

/** Spawns `oban ARGS` from `cwd` (inside `wrap`). The child is killed after the test if still running. */
export function spawnOban(
  args: string[],
  options: {cwd: string; env?: Record<string, string>; node?: string; wrap?: string[]},
) {
  if (!cleanupRegistered) throw new Error('call killChildrenAfterEach() (or createFixture) at the top of the test file')
  // `wrap`: a command that runs the node, such as `scripts/netbed.sh exec HOST` (a network namespace).
  const [command, ...rest] = [...(options.wrap ?? []), process.execPath, BIN, ...args]
  const child = spawn(command!, rest, {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const listener of [...listeners]) listener()
  }
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    changed()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk
    changed()
  })
  let done = false
  // 'close' comes after 'exit' once the pipes are drained, so the output is complete by then.
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => {
    child.on('close', (code, signal) => {
      done = true
      changed()
      resolve({code, signal})
    })
    child.on('error', () => {
      done = true
      changed()
      resolve({code: null, signal: null})
    })
  })
  const proc: ObanProcess = {
    child,
    node: options.node ?? '',
    stdout: () => out,
    stderr: () => err,
    exited,
    get running() {
      return !done
    },
    waitFor(pattern, {stream = 'stdout', timeoutMs = 60_000} = {}) {
      const text = () => (stream === 'stdout' ? out : err)
      return new Promise<void>((resolve, reject) => {
        const finish = (error?: Error) => {
          clearTimeout(timer)
          listeners.delete(check)
          if (error) reject(error)
          else resolve()
        }
        const check = () => {
          if (pattern.test(text())) finish()
          else if (done)
            finish(new Error(`oban exited before printing ${pattern} on ${stream}\nstdout: ${out}\nstderr: ${err}`))
        }
        const timer = setTimeout(
          () => finish(new Error(`no ${pattern} on ${stream} within ${timeoutMs}ms\nstdout: ${out}\nstderr: ${err}`)),
          timeoutMs,
        )
        listeners.add(check)
        check()
      })
    },
    signal(signal) {
      if (!done) child.kill(signal)
    },
  }
  children.add(proc)
  return proc
}

/** Runs a one-shot `oban` command to its end. */
export async function runOban(
  args: string[],
  options: {cwd: string; env?: Record<string, string>},
): Promise<{code: number | null; stdout: string; stderr: string}> {
  const proc = spawnOban(args, options)
  const {code} = await proc.exited
  return {code, stdout: proc.stdout(), stderr: proc.stderr()}
}

/**
 * A fixture project: `<dir>/conf/workers.ts` (workers importing defineWorker from the compiled
 * library by absolute path, where a user's 'oban-ts' resolves) and config files in `<dir>/conf/`
 * that name the workers by a path relative to the config file. Commands run with cwd `<dir>`, so
 * the workers are only found if relative worker paths resolve against the config file's directory.
 */
export interface Fixture {
  dir: string
  url: string
  /** Writes a JSON config (workers included unless given) and returns its path. */
  config(options?: Record<string, unknown>, name?: string): string
  /** Starts `oban start` with that config and waits until it is running. */
  start(node: string, options?: {config?: string; args?: string[]}): Promise<ObanProcess>
  /** Runs a one-shot `oban` command against the fixture's database. */
  cli(...args: string[]): Promise<{code: number | null; stdout: string; stderr: string}>
}

export function createFixture(url: string): Fixture {
  killChildrenAfterEach()
  const dir = mkdtempSync(join(tmpdir(), 'oban-e2e-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  mkdirSync(join(dir, 'conf'))
  writeFileSync(join(dir, 'conf', 'workers.ts'), workersModule())
  let configs = 0
  const fixture: Fixture = {
    dir,
    url,
    config(options = {}, name = `oban.config.${++configs}.json`) {
      const file = join(dir, 'conf', name)
      writeFileSync(file, JSON.stringify({workers: ['./workers.ts'], ...options}, null, 2))
      return file
    },
    async start(node, {config, args = []} = {}) {
      const file = config ?? fixture.config({queues: {default: 10}})
      const proc = spawnOban(['start', '--database-url', url, '--config', file, '--node', node, ...args], {
        cwd: dir,
        env: {E2E_DATABASE_URL: url},
        node,
      })
      await proc.waitFor(/is running on/)
      return proc
    },
    cli: (...args) => runOban([...args, '--database-url', url], {cwd: dir}),
  }
  return fixture
}

/** The table the fixture's workers write: one row per run (a job run twice shows up twice). */
export async function createRunsTable(pool: Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS runs (
    job_id bigint NOT NULL,
    node text,
    concurrency int,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    aborted text
  )`)
}

/** Empties the jobs, runs and peers between tests of one file. */
export async function resetTables(pool: Pool): Promise<void> {
  await pool.query('TRUNCATE oban_jobs, oban_peers, runs')
}

/** Inserts jobs as the library's insertAll does (one statement, one insert notification per queue). */
export function insertJobs(pool: Pool, specs: JobSpec[]): Promise<Job[]> {
  return insertAllJobs({pool, prefix: 'public', insertTrigger: true}, specs)
}

export const quick = (args: Record<string, unknown> = {}, queue = 'default'): JobSpec => ({
  worker: 'E2E.Quick',
  args,
  queue,
})

export const sleeper = (args: {ms: number; ignoreAbort?: boolean}, queue = 'default'): JobSpec => ({
  worker: 'E2E.Sleep',
  args,
  queue,
})

/** Job states by id. */
export async function states(pool: Pool, ids: readonly (string | number)[]): Promise<string[]> {
  const {rows} = await pool.query<{state: string}>('SELECT state FROM oban_jobs WHERE id = ANY($1) ORDER BY id', [ids])
  return rows.map((r) => r.state)
}

export async function allInState(pool: Pool, ids: readonly (string | number)[], state: string): Promise<boolean> {
  return (await states(pool, ids)).every((s) => s === state)
}

/**
 * The workers of the fixture project:
 * - `E2E.Quick` records its run and returns;
 * - `E2E.Sleep` records its run with the number of E2E.Sleep jobs running in this process at its
 *   start (so tests can observe the queue's concurrency), sleeps `ms`, then records its finish,
 *   or, if its signal aborts first (pkill, timeout, shutdown), the abort reason's name. With
 *   `ignoreAbort` it sleeps on regardless, as a worker that ignores its signal would.
 */
function workersModule(): string {
  const index = LIBRARY
  const pkg = join(REPO, 'package.json')
  return `import {createRequire} from 'node:module'
import {defineWorker} from ${JSON.stringify(index)}

const require = createRequire(${JSON.stringify(pkg)})
const pg = require('pg')
const pool = new pg.Pool({connectionString: process.env.E2E_DATABASE_URL, max: 5, allowExitOnIdle: true})
pool.on('error', () => {})

const node = (job) => (job.attemptedBy ?? [])[0] ?? null
let running = 0

export const Quick = defineWorker({
  name: 'E2E.Quick',
  async perform(job) {
    await pool.query('INSERT INTO runs (job_id, node) VALUES ($1, $2)', [job.id, node(job)])
  },
})

export const Sleep = defineWorker<{ms: number; ignoreAbort?: boolean}>({
  name: 'E2E.Sleep',
  async perform(job, {signal}) {
    running += 1
    try {
      await pool.query('INSERT INTO runs (job_id, node, concurrency) VALUES ($1, $2, $3)', [job.id, node(job), running])
      const aborted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), job.args.ms)
        if (!job.args.ignoreAbort)
          signal.addEventListener('abort', () => {
            clearTimeout(timer)
            resolve(true)
          }, {once: true})
      })
      if (aborted) {
        const reason = signal.reason instanceof Error ? signal.reason.name : String(signal.reason)
        await pool.query('UPDATE runs SET aborted = $2 WHERE job_id = $1', [job.id, reason])
      } else {
        await pool.query('UPDATE runs SET finished_at = clock_timestamp() WHERE job_id = $1', [job.id])
      }
    } finally {
      running -= 1
    }
  },
})
`
}
