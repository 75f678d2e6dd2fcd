import {open, readFile, realpath, stat, unlink} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {EmbeddedPostgresError} from '../../errors.js'
import type {Binaries} from './binaries.js'
import {lastLines} from './cluster.js'
import {processCommandLine, processState, runTool, sharedMemoryAttachments, type RunAs} from './processes.js'

/** The lines of `<PGDATA>/postmaster.pid` we use (P5: port on line 4, status on line 8). */
export interface PostmasterPid {
  pid: number
  dataDir: string
  port: number
  /** `starting`, `ready`, `stopping` or `standby`; empty while the server is writing the file. */
  status: string
  /** The System V shared memory id (line 7), when present. */
  shmid?: number
}

/**
 * The server of a data directory as seen from outside. `stale` means a postmaster.pid is left
 * over: its pid is gone (`dead`), an unreaped zombie, or now belongs to another program
 * (`foreign`, e.g. a pid reused after a reboot in a container) (P3).
 */
export type ServerState =
  | {state: 'stopped'}
  | {state: 'running'; pid: number; port: number; status: string}
  | {state: 'stale'; pid: number; reason: 'dead' | 'zombie' | 'foreign'; shmid?: number}

/** Parses postmaster.pid; undefined when there is none. */
export async function readPostmasterPid(pgData: string): Promise<PostmasterPid | undefined> {
  let text: string
  try {
    text = await readFile(path.join(pgData, 'postmaster.pid'), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new EmbeddedPostgresError(`cannot read ${path.join(pgData, 'postmaster.pid')}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const lines = text.split('\n')
  const shmid = Number(lines[6]?.trim().split(/\s+/)[1])
  return {
    pid: Number(lines[0]),
    dataDir: lines[1] ?? '',
    port: Number(lines[3]),
    status: lines[7]?.trim() ?? '',
    ...(Number.isInteger(shmid) && shmid >= 0 ? {shmid} : {}),
  }
}

/**
 * Tells whether our server runs on `pgData`: the pid in postmaster.pid must be alive and its
 * command line must be a `postgres` with `-D` naming this directory; otherwise the file is stale.
 */
export async function inspectServer(pgData: string): Promise<ServerState> {
  const file = await readPostmasterPid(pgData)
  if (!file) return {state: 'stopped'}
  const {pid} = file
  const shm = file.shmid === undefined ? {} : {shmid: file.shmid}
  const alive = await processState(pid)
  if (alive !== 'alive') return {state: 'stale', pid, reason: alive, ...shm}
  const argv = await processCommandLine(pid)
  // Without /proc or ps (Windows) a live pid is the best evidence there is.
  if (argv !== undefined && !(await isPostmasterOf(argv, pgData, file.dataDir))) {
    return {state: 'stale', pid, reason: 'foreign', ...shm}
  }
  return {state: 'running', pid, port: file.port, status: file.status}
}

async function isPostmasterOf(argv: string[], pgData: string, recorded: string): Promise<boolean> {
  if (!/^postgres(\.exe)?$/.test(path.basename(argv[0] ?? ''))) return false
  const index = argv.indexOf('-D')
  const named = index >= 0 ? argv[index + 1] : undefined
  if (named === undefined) return false
  const ours = new Set([path.resolve(pgData), path.resolve(recorded), await realpath(pgData).catch(() => pgData)])
  return ours.has(path.resolve(named)) || ours.has(await realpath(named).catch(() => named))
}

/**
 * Waits until a running server reports `ready` (it may be in crash recovery or shutting down)
 * and returns what it then is; a server that goes away meanwhile is returned as such.
 */
export async function waitUntilSettled(pgData: string, timeoutMs = 30_000): Promise<ServerState> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const server = await inspectServer(pgData)
    if (server.state !== 'running' || server.status === 'ready' || server.status === 'standby') return server
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL on ${pgData} (pid ${server.pid}) stayed "${server.status}" for ${timeoutMs / 1000} s`,
      )
    }
    await sleep(50)
  }
}

/**
 * Makes a stale postmaster.pid harmless before a start (P3). A dead pid is left to PostgreSQL,
 * which checks by itself that no old backend still uses the shared memory and then runs crash
 * recovery. A zombie (a killed postmaster nobody has reaped yet) or a pid that now belongs to
 * another program would make PostgreSQL refuse to start, so the file is removed, but only once
 * no old backend is attached to the old shared memory any more: that check is what PostgreSQL
 * would have done with the file.
 */
export async function clearStalePidFile(pgData: string, server: ServerState & {state: 'stale'}): Promise<void> {
  if (server.reason === 'dead') return
  const deadline = Date.now() + 10_000
  while (server.shmid !== undefined && ((await sharedMemoryAttachments(server.shmid)) ?? 0) > 0) {
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `processes of an earlier embedded PostgreSQL still use ${pgData} (shared memory id ${server.shmid}): stop them, then run the command again`,
      )
    }
    await sleep(50)
  }
  await unlink(path.join(pgData, 'postmaster.pid')).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
}

export interface StartOptions {
  port: number
  logFile: string
  runAs?: RunAs
  /** Extra `-c name=value` server settings (the throwaway cluster turns fsync off). */
  settings?: Record<string, string | number>
}

/** How a start went; a failure keeps the log's last lines and tells whether the port or old shared memory was the problem. */
export type StartResult =
  {ok: true; pid: number} | {ok: false; message: string; portInUse: boolean; sharedMemoryBusy: boolean}

/**
 * `pg_ctl start -w`: the server daemonizes (it outlives us, by design) and pg_ctl returns once it
 * accepts connections. It listens on 127.0.0.1 only and creates no Unix socket, so the data
 * directory's path length does not matter (P5). A failure is a result (the caller may retry on
 * another port), not an exception; only failing to run pg_ctl at all rejects.
 */
export async function startServer(bins: Binaries, pgData: string, options: StartOptions): Promise<StartResult> {
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    // pg_ctl hands -o to a shell: /bin/sh needs '' for an empty value, cmd.exe takes nothing.
    unix_socket_directories: process.platform === 'win32' ? '' : "''",
    ...options.settings,
  }
  const serverOptions = [`-p ${options.port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ')
  const logStart = await fileSize(options.logFile)
  const args = ['-D', pgData, '-l', options.logFile, '-w', '-t', '30', '-o', serverOptions, 'start']
  const result = await runTool(bins.pg_ctl, args, {runAs: options.runAs, timeoutMs: 60_000})
  const file = result.code === 0 ? await readPostmasterPid(pgData) : undefined
  if (file) return {ok: true, pid: file.pid}
  const log = await readFrom(options.logFile, logStart)
  return {
    ok: false,
    message:
      `the embedded PostgreSQL did not start on port ${options.port} (pg_ctl exit ${result.code}): ` +
      `${lastLines(log || result.stderr || result.stdout, 6)} (full log: ${options.logFile})`,
    portInUse: /could not bind|address already in use/i.test(log),
    sharedMemoryBusy: /pre-existing shared memory block/i.test(log),
  }
}

/**
 * `pg_ctl stop -w`: `fast` disconnects clients and shuts down cleanly; `immediate` skips the
 * shutdown checkpoint (crash recovery on next start), fine for a cluster about to be deleted.
 * Resolves false when no server was running.
 */
export async function stopServer(
  bins: Binaries,
  pgData: string,
  options: {runAs?: RunAs; mode?: 'fast' | 'immediate'} = {},
): Promise<boolean> {
  const args = ['-D', pgData, '-m', options.mode ?? 'fast', '-w', '-t', '60', 'stop']
  const result = await runTool(bins.pg_ctl, args, {runAs: options.runAs, timeoutMs: 90_000})
  if (result.code === 0) return true
  const output = `${result.stderr}\n${result.stdout}`
  if (/does not exist|is server running/i.test(output)) return false
  throw new EmbeddedPostgresError(
    `could not stop the embedded PostgreSQL on ${pgData} (pg_ctl exit ${result.code}): ${lastLines(output, 4)}`,
  )
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size
  } catch {
    return 0
  }
}

/** What was appended to a log since `offset` (at most the last 64 KiB of it). */
async function readFrom(file: string, offset: number): Promise<string> {
  let handle
  try {
    handle = await open(file, 'r')
    const size = (await handle.stat()).size
    const start = Math.max(offset, size - 65_536)
    const buffer = Buffer.alloc(Math.max(0, size - start))
    await handle.read(buffer, 0, buffer.length, start)
    return buffer.toString('utf8')
  } catch {
    return ''
  } finally {
    await handle?.close()
  }
}
