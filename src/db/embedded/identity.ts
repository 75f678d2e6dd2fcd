import {realpath, stat} from 'node:fs/promises'
import path from 'node:path'
import {EmbeddedPostgresError} from '../../errors.js'
import {NOBODY, runningAsRoot, type RunAs} from './processes.js'

/**
 * The user PostgreSQL's programs run as for the cluster at `pgData`, or undefined to run them as
 * ourselves. PostgreSQL never runs as root (P1), so root runs them as the owner of an existing
 * data directory (a cluster someone created without root keeps working) or, for a new one, as
 * `nobody` (uid/gid 65534), which needs no useradd and no change to /etc.
 */
export async function serverRunAs(pgData: string): Promise<RunAs | undefined> {
  if (!runningAsRoot()) return undefined
  try {
    const info = await stat(pgData)
    if (info.uid !== 0) return {uid: info.uid, gid: info.gid}
  } catch {
    // Not created yet: nobody will own it.
  }
  return NOBODY
}

/**
 * The first directory on the way to `target` (itself included) that `who` may not search, with
 * its mode, or undefined when `who` reaches it. Checks the classic permission bits of the real
 * path; `who` is taken to have no supplementary groups, which is how we start processes as it.
 */
export async function firstUnsearchable(
  target: string,
  who: RunAs,
): Promise<{directory: string; mode: number} | undefined> {
  let current = await realpath(target)
  for (;;) {
    const info = await stat(current)
    const bit = info.uid === who.uid ? 0o100 : info.gid === who.gid ? 0o010 : 0o001
    if (info.isDirectory() && (info.mode & bit) === 0) return {directory: current, mode: info.mode & 0o777}
    const parent = path.dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

/**
 * Fails with a clear message when the server's user cannot reach the directory that will hold
 * its data: typical when a project lives under /root (mode 0700) and we run as root.
 */
export async function assertReachable(directory: string, who: RunAs | undefined): Promise<void> {
  if (!who) return
  const blocked = await firstUnsearchable(directory, who)
  if (!blocked) return
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL runs as uid ${who.uid} because PostgreSQL refuses to run as root, but that user cannot reach ${directory}: ` +
      `${blocked.directory} has mode ${blocked.mode.toString(8).padStart(4, '0')}. ` +
      'Put the data directory under a directory others may enter (--data-dir or OBAN_DATA_DIR, e.g. /var/lib/oban), ' +
      'run oban as a regular user, or set DATABASE_URL to use another PostgreSQL server.',
  )
}
