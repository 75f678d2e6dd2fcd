import {execFile} from 'node:child_process'
import {chmod, link, mkdir, mkdtemp, readdir, readFile, rm, copyFile, lstat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import pg from 'pg'
import {afterEach} from 'vitest'
import {stopEmbedded, type EmbeddedServer} from '../../../../src/db/embedded/index.js'
import {readPostmasterPid} from '../../../../src/db/embedded/server.js'
import {BIN, cliEnv} from '../../../helpers/cli.js'

/** The repository root (where package.json and bin/dev.js are). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

const created: string[] = []

/**
 * Registers the per-test cleanup in the calling file: every directory made by {@link tempDir}
 * during a test has its server stopped (pg_ctl, else SIGKILL of the postmaster) and is deleted,
 * whether the test passed or not.
 */
export function cleanUpServersAfterEach(): void {
  afterEach(async () => {
    for (const dir of created.splice(0)) await removeWithServers(dir)
  })
}

/**
 * A fresh temporary directory that others may enter (mkdtemp makes 0700; as root the server runs
 * as nobody, which must reach the data directory inside).
 */
export async function tempDir(prefix = 'oban-emb-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  await chmod(dir, 0o755)
  created.push(dir)
  return dir
}

/** Stops any server whose PGDATA lies below `dir`, then deletes `dir`. */
export async function removeWithServers(dir: string): Promise<void> {
  for (const dataDir of await findDataDirs(dir)) {
    await stopEmbedded({dataDir, mode: 'immediate', lockTimeoutMs: 2_000}).catch(async () => {
      const file = await readPostmasterPid(path.join(dataDir, 'pg')).catch(() => undefined)
      if (file) killQuietly(file.pid)
    })
  }
  await rm(dir, {recursive: true, force: true})
}

async function findDataDirs(dir: string, depth = 0): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true}).catch(() => [])
  if (entries.some((entry) => entry.name === 'pg' && entry.isDirectory())) return [dir]
  if (depth > 3) return []
  const nested = await Promise.all(
    entries.filter((entry) => entry.isDirectory()).map((entry) => findDataDirs(path.join(dir, entry.name), depth + 1)),
  )
  return nested.flat()
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal)
  } catch {
    // Already gone.
  }
}

/** Result line of fixtures/ensure.ts. */
export type EnsureOutcome = {ok: true; server: EmbeddedServer} | {ok: false; name: string; message: string}

/** Runs ensureEmbedded in a separate node process (a second oban command, in effect). */
export function ensureInChildProcess(dataDir: string): Promise<EnsureOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/src/db/embedded/fixtures/ensure.ts', dataDir],
      {cwd: repoRoot, env: cliEnv(), timeout: 60_000},
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop()
        if (!line) return reject(new Error(`no output from the child (${error?.message ?? ''}): ${stderr}`))
        resolve(JSON.parse(line) as EnsureOutcome)
      },
    )
  })
}

/** Runs the compiled CLI (see cli.ts) and resolves with its exit code and output. */
export function runCli(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {cwd: repoRoot, env: cliEnv(), timeout: 60_000},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({code, stdout, stderr})
      },
    )
  })
}

/** Runs one query on a fresh connection and closes it. */
export async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({connectionString: url})
  await client.connect()
  try {
    return (await client.query<R>(text)).rows
  } finally {
    await client.end()
  }
}

/** The real uid a process runs as (Linux). */
export async function processUid(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1])
}

export const isRoot = process.getuid?.() === 0

/**
 * Makes a copy of the installed platform package under `dir` without its library symlinks (as an
 * install with --ignore-scripts leaves it). Files are hard links where possible, so it is cheap.
 */
export async function copyPackageWithoutSymlinks(source: string, dir: string): Promise<string> {
  const target = path.join(dir, path.basename(source))
  await copyTree(source, target)
  return target
}

async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, {recursive: true, mode: 0o755})
  for (const entry of await readdir(from, {withFileTypes: true})) {
    const src = path.join(from, entry.name)
    const dst = path.join(to, entry.name)
    if (entry.isDirectory()) await copyTree(src, dst)
    else if (entry.isFile()) await link(src, dst).catch(() => copyFile(src, dst))
    // Symlinks are left out on purpose.
  }
}

/** Whether `file` exists as a symbolic link. */
export async function isSymlink(file: string): Promise<boolean> {
  return lstat(file).then(
    (info) => info.isSymbolicLink(),
    () => false,
  )
}
