import {stat} from 'node:fs/promises'
import {EmbeddedPostgresError} from '../../errors.js'
import {locateBinaries, prepareBinaries, type Binaries} from './binaries.js'
import {assertCompatible, inspectCluster, type ClusterState} from './cluster.js'
import {resolveDataDir} from './data-dir.js'
import {serverRunAs} from './identity.js'
import {embeddedUrlFor, ensureEmbedded, type EmbeddedOptions} from './launcher.js'
import {withLock} from './lock.js'
import {readState} from './state-file.js'
import {inspectServer, stopServer} from './server.js'

/** What `oban db status` reports. Reading it changes nothing on disk and starts nothing. */
export interface EmbeddedStatus {
  /** The data directory (`.oban`) this status is about. */
  dataDir: string
  /** A cluster exists in the data directory. */
  initialized: boolean
  running: boolean
  /** The postmaster's pid, when running. */
  pid?: number
  port?: number
  url?: string
  /** Version of the installed binaries (`18.4`), or null when this platform has none. */
  pgVersion: string | null
  /** Major version that created the cluster (from PG_VERSION), when initialized. */
  dataVersion?: number
  /** Why the server cannot be used as is (corrupt files, version mismatch, no binaries), in the words of the error it would raise. */
  problem?: string
}

/** What {@link stopEmbedded} did. */
export interface EmbeddedStopResult {
  dataDir: string
  /** True when a server was running and has been stopped; false when there was nothing to stop. */
  stopped: boolean
  /** The pid of the server that was stopped. */
  pid?: number
}

/**
 * Describes the embedded server of a data directory without side effects. Problems that would
 * make {@link ensureEmbedded} fail are reported in `problem` rather than thrown, so that status
 * stays usable as the diagnostic command.
 */
export async function embeddedStatus(options: EmbeddedOptions = {}): Promise<EmbeddedStatus> {
  const layout = await resolveDataDir(options)
  let bins: Binaries | undefined
  let problem: string | undefined
  let cluster: ClusterState = {initialized: false}
  try {
    bins = await locateBinaries(options)
  } catch (error) {
    problem = (error as Error).message
  }
  try {
    cluster = await inspectCluster(layout)
    const state = await readState(layout)
    if (bins) assertCompatible(layout, bins, cluster, state)
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresError)) throw error
    problem ??= error.message
  }
  const status: EmbeddedStatus = {
    dataDir: layout.dataDir,
    initialized: cluster.initialized,
    running: false,
    pgVersion: bins?.pgVersion ?? null,
    ...(cluster.initialized ? {dataVersion: cluster.major} : {}),
    ...(problem === undefined ? {} : {problem}),
  }
  if (!cluster.initialized) return status
  const server = await inspectServer(layout.pgData)
  if (server.state !== 'running') return status
  return {...status, running: true, pid: server.pid, port: server.port, url: embeddedUrlFor(server.port)}
}

/**
 * Stops the embedded server (`pg_ctl -m fast -w stop`: clients are disconnected, the shutdown is
 * clean). Not running is not an error: the result says `stopped: false`. `immediate` skips the
 * shutdown checkpoint, for servers about to be deleted.
 */
export async function stopEmbedded(
  options: EmbeddedOptions & {mode?: 'fast' | 'immediate'} = {},
): Promise<EmbeddedStopResult> {
  const layout = await resolveDataDir(options)
  const notRunning = {dataDir: layout.dataDir, stopped: false}
  const exists = await stat(layout.pgData).then(
    () => true,
    () => false,
  )
  if (!exists) return notRunning
  return withLock(
    layout.lockFile,
    async () => {
      const server = await inspectServer(layout.pgData)
      if (server.state !== 'running') return notRunning
      const runAs = await serverRunAs(layout.pgData)
      const bins = await prepareBinaries(await locateBinaries(options), {runAs, cacheDir: options.cacheDir})
      const stopped = await stopServer(bins, layout.pgData, {runAs, mode: options.mode})
      return stopped ? {dataDir: layout.dataDir, stopped, pid: server.pid} : notRunning
    },
    {timeoutMs: options.lockTimeoutMs},
  )
}

/**
 * The URL of the embedded server, starting it first when it is not running (the same as
 * `(await ensureEmbedded(options)).url`): whoever asks for the URL is about to connect.
 */
export async function embeddedUrl(options: EmbeddedOptions = {}): Promise<string> {
  return (await ensureEmbedded(options)).url
}
