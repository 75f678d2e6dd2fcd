import {readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'

/**
 * `<dataDir>/instance-owner.json`: the current server was started by a running Oban instance
 * (`oban start`, or `Oban.start()` in a program), which stops it when it exits and no one else
 * uses it. A server started any other way (`oban db start`, a one-shot command) has no marker
 * and is left running for the user: the launcher removes the marker whenever it starts a server.
 */
const OWNER_FILE = 'instance-owner.json'

function ownerFile(dataDir: string): string {
  return path.join(dataDir, OWNER_FILE)
}

/** Records that this process's instance started the embedded server. */
export async function markInstanceOwner(dataDir: string): Promise<void> {
  await writeFile(ownerFile(dataDir), `${JSON.stringify({pid: process.pid})}\n`)
}

/** Forgets the owner (a new server generation, or the server stopped). */
export async function clearInstanceOwner(dataDir: string): Promise<void> {
  await rm(ownerFile(dataDir), {force: true})
}

/** Whether the marker names this process or an instance process that no longer runs (a missing marker: no). */
export async function ownerReleasable(dataDir: string): Promise<boolean> {
  let pid: unknown
  try {
    pid = (JSON.parse(await readFile(ownerFile(dataDir), 'utf8')) as {pid?: unknown}).pid
  } catch {
    return false
  }
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    // EPERM: alive under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
