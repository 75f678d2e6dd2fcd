import {chmod, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {EmbeddedPostgresError} from '../../errors.js'
import {locateBinaries, prepareBinaries, type Binaries} from './binaries.js'
import {runInitdb} from './cluster.js'
import {embeddedUrlFor} from './launcher.js'
import {freePort} from './port.js'
import {NOBODY, processStartTime, processState, runningAsRoot, type RunAs} from './processes.js'
import {inspectServer, startServer, stopServer} from './server.js'

/** A temporary cluster for one test run. */
export interface ThrowawayCluster {
  /** Superuser URL (`postgres` database); tests create their own databases from it. */
  url: string
  /** The temporary directory that holds it (PGDATA is its `pg/`). */
  directory: string
  /** Stops the server without a shutdown checkpoint and deletes its files. Idempotent. */
  stop(): Promise<void>
}

/** Prefix of the temporary directories, short so that any path below them stays short (P5). */
const PREFIX = 'oban-test-pg-'

/**
 * Durability off: the data is thrown away, and without fsync the suite's many small commits are
 * several times faster. 200 connections leave room for test files that run in parallel.
 */
const SETTINGS = {fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 200}

/**
 * Creates and starts a cluster in a fresh `mkdtemp` directory for vitest's global setup, with the
 * same binaries, user switch and start routine as the project's embedded server. Clusters left
 * by earlier runs that were killed (their owning process is gone) are removed first.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bins = await locateBinaries()
  const runAs = runningAsRoot() ? NOBODY : undefined
  const prepared = await prepareBinaries(bins, {runAs})
  await reapOrphans(prepared, runAs)
  const root = await mkdtemp(path.join(os.tmpdir(), PREFIX))
  const pgData = path.join(root, 'pg')
  let started = false
  const stop = async (): Promise<void> => {
    if (started) await stopServer(prepared, pgData, {runAs, mode: 'immediate'}).catch(() => false)
    started = false
    await rm(root, {recursive: true, force: true})
  }
  try {
    // mkdtemp makes 0700 directories; the server's user (nobody, as root) must be able to enter it.
    await chmod(root, 0o755)
    await writeFile(path.join(root, 'owner'), `${process.pid}\n${(await processStartTime(process.pid)) ?? ''}\n`)
    await runInitdb(prepared, pgData, runAs, {noSync: true})
    const port = await freePort()
    started = true
    const result = await startServer(prepared, pgData, {
      port,
      logFile: path.join(pgData, 'server.log'),
      runAs,
      settings: SETTINGS,
    })
    if (!result.ok) throw new EmbeddedPostgresError(result.message)
    return {url: embeddedUrlFor(port), directory: root, stop}
  } catch (error) {
    await stop()
    throw error
  }
}

/** Stops and deletes throwaway clusters whose owning process no longer exists (a killed test run). */
async function reapOrphans(bins: Binaries, runAs: RunAs | undefined): Promise<void> {
  const tmp = os.tmpdir()
  const names = await readdir(tmp).catch(() => [] as string[])
  for (const name of names.filter((entry) => entry.startsWith(PREFIX))) {
    const root = path.join(tmp, name)
    const owner = await readFile(path.join(root, 'owner'), 'utf8').catch(() => undefined)
    if (owner === undefined) continue // Not ours, or still being created.
    const [pidText, startTime] = owner.split('\n')
    const pid = Number(pidText)
    const alive = (await processState(pid)) === 'alive' && (!startTime || (await processStartTime(pid)) === startTime)
    if (alive) continue
    const pgData = path.join(root, 'pg')
    if ((await inspectServer(pgData).catch(() => undefined))?.state === 'running') {
      await stopServer(bins, pgData, {runAs, mode: 'immediate'}).catch(() => false)
    }
    await rm(root, {recursive: true, force: true})
  }
}
