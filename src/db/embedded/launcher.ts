import {chmod, mkdir, stat} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'
import {EmbeddedPostgresError} from '../../errors.js'
import {locateBinaries, prepareBinaries, type Binaries, type LocateOptions} from './binaries.js'
import {assertCompatible, initializeCluster, inspectCluster} from './cluster.js'
import {resolveDataDir, type DataDirLayout, type DataDirOptions} from './data-dir.js'
import {assertReachable, serverRunAs} from './identity.js'
import {withLock} from './lock.js'
import {freePort, isPortFree} from './port.js'
import type {RunAs} from './processes.js'
import {clearStalePidFile, startServer, waitUntilSettled} from './server.js'
import {clearInstanceOwner} from './owner.js'
import {readState, writeState, type EmbeddedState} from './state-file.js'

/** Options of every embedded-server function: where the data directory is (see {@link resolveDataDir}). */
export interface EmbeddedOptions extends DataDirOptions, LocateOptions {
  /** Where a copy of the binaries goes when the server's user cannot reach the package (default /var/cache/oban as root). */
  cacheDir?: string
  /** How long to wait for another oban process that is initialising or starting the same server. */
  lockTimeoutMs?: number
}

/** A running embedded server. */
export interface EmbeddedServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`: superuser `postgres`, trust auth, database `postgres`. */
  url: string
  port: number
  /** The data directory (`.oban`), not PGDATA. */
  dataDir: string
  /** True when this call started the server; false when it adopted one that was running. */
  startedByUs: boolean
  /** The postmaster's pid. */
  pid: number
}

/** The URL of the embedded server on `port`. Database `postgres` exists in every cluster; we create no other. */
export function embeddedUrlFor(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`
}

/**
 * Returns the embedded server of the data directory, creating and starting it when needed: a
 * running server is adopted (a few file reads, no lock); otherwise, under the data directory's
 * lock so that concurrent callers end up with one server, the cluster is initialised if missing
 * (a free port is chosen then and recorded), a stale postmaster.pid is dealt with, and the server
 * is started as a daemon that outlives this process. Every failure is an
 * {@link EmbeddedPostgresError} that names the path involved and the fix.
 */
export async function ensureEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const layout = await resolveDataDir(options)
  const located = await locateBinaries(options)
  const running = await findRunning(layout, located)
  if (running) return running
  await createDataDir(layout)
  return withLock(layout.lockFile, () => initAndStart(layout, located, options), {timeoutMs: options.lockTimeoutMs})
}

/** Checks the data directory and adopts its server if one is ready; undefined when none runs. */
async function findRunning(layout: DataDirLayout, bins: Binaries): Promise<EmbeddedServer | undefined> {
  const cluster = await inspectCluster(layout)
  assertCompatible(layout, bins, cluster, await readState(layout))
  if (!cluster.initialized) return undefined
  const server = await waitUntilSettled(layout.pgData)
  if (server.state !== 'running') return undefined
  return {
    url: embeddedUrlFor(server.port),
    port: server.port,
    dataDir: layout.dataDir,
    startedByUs: false,
    pid: server.pid,
  }
}

async function createDataDir(layout: DataDirLayout): Promise<void> {
  // pg_ctl passes the data directory to a shell inside double quotes; these would break out of them.
  if (/["$`\\\n]/.test(layout.dataDir)) {
    throw new EmbeddedPostgresError(
      `the data directory ${JSON.stringify(layout.dataDir)} contains a character pg_ctl cannot pass on (" $ \` \\ or a newline): choose another --data-dir`,
    )
  }
  const created = await mkdir(layout.dataDir, {recursive: true, mode: 0o755}).catch((error: NodeJS.ErrnoException) => {
    throw new EmbeddedPostgresError(`cannot create the data directory ${layout.dataDir}: ${error.message}`, {
      cause: error,
    })
  })
  // Others must be able to enter it: as root the server runs as nobody. Undo a restrictive umask.
  if (created !== undefined) await chmod(layout.dataDir, 0o755)
  if (!(await stat(layout.dataDir)).isDirectory()) {
    throw new EmbeddedPostgresError(
      `the data directory ${layout.dataDir} is a file: move it away or use another --data-dir`,
    )
  }
}

async function initAndStart(
  layout: DataDirLayout,
  located: Binaries,
  options: EmbeddedOptions,
): Promise<EmbeddedServer> {
  // Another process may have done the work while we waited for the lock.
  const running = await findRunning(layout, located)
  if (running) return running
  const cluster = await inspectCluster(layout)
  let state = await readState(layout)
  const runAs = await serverRunAs(layout.pgData)
  await assertReachable(layout.dataDir, runAs)
  const bins = await prepareBinaries(located, {runAs, cacheDir: options.cacheDir})
  if (!cluster.initialized) {
    await initializeCluster(layout, bins, runAs)
    state = undefined // A state file without a cluster describes nothing: choose afresh.
  }
  if (!state) {
    state = {
      pgMajor: bins.pgMajor,
      pgVersion: bins.pgVersion,
      port: await freePort(),
      package: `${bins.packageName}@${bins.packageVersion}`,
      binDir: bins.binDir,
      createdAt: new Date().toISOString(),
    }
    await writeState(layout, state)
  }
  const server = await waitUntilSettled(layout.pgData)
  if (server.state === 'stale') await clearStalePidFile(layout.pgData, server)
  // A new server generation: whoever started the last one does not own this one.
  await clearInstanceOwner(layout.dataDir)
  const {pid, port} = await startWithRetries(layout, bins, state, runAs)
  return {url: embeddedUrlFor(port), port, dataDir: layout.dataDir, startedByUs: true, pid}
}

/**
 * Starts the server on the recorded port. If that port has been taken by something else since the
 * cluster was created, a new free one is chosen and recorded; clients never depend on the old one
 * because they read the port from postmaster.pid. Old backends of a postmaster killed with -9 may
 * hold the shared memory for a moment: that is retried too.
 */
async function startWithRetries(
  layout: DataDirLayout,
  bins: Binaries,
  state: EmbeddedState,
  runAs: RunAs | undefined,
): Promise<{pid: number; port: number}> {
  let current = state
  for (let attempt = 1; ; attempt++) {
    if (!(await isPortFree(current.port))) current = await moveToFreePort(layout, current)
    const result = await startServer(bins, layout.pgData, {port: current.port, logFile: layout.logFile, runAs})
    if (result.ok) return {pid: result.pid, port: current.port}
    if (attempt >= 5 || !(result.portInUse || result.sharedMemoryBusy)) throw new EmbeddedPostgresError(result.message)
    if (result.portInUse) current = await moveToFreePort(layout, current)
    else await sleep(200 * attempt)
  }
}

async function moveToFreePort(layout: DataDirLayout, state: EmbeddedState): Promise<EmbeddedState> {
  const next = {...state, port: await freePort()}
  await writeState(layout, next)
  return next
}

/**
 * `oban db start`: starts the server, or adopts the running one, for the user. Either way it
 * then runs until `oban db stop`: a server an `oban start` had started is no longer stopped when
 * the last node exits.
 */
export async function startEmbeddedForUser(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const server = await ensureEmbedded(options)
  await clearInstanceOwner(server.dataDir)
  return server
}
