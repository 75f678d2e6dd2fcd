import {open, readFile, stat, unlink} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'
import {EmbeddedPostgresError} from '../../errors.js'
import {processStartTime, processState} from './processes.js'

export interface LockOptions {
  /** How long to wait for another holder (default 90 s: an init plus a start take a few seconds). */
  timeoutMs?: number
}

/** A lock file whose writer died between creating and filling it is stale after this long. */
const EMPTY_LOCK_GRACE_MS = 5_000

/**
 * Runs `fn` while holding the lock file `file`, so that two oban processes never init, start or
 * stop the same server at once (P4): the file is created with O_EXCL ('wx') and holds
 * `<pid>\n<process start time>`. A lock whose holder is gone (dead pid, or a pid since reused by
 * another process: the start time differs) is broken; a live holder is waited for, up to the
 * timeout. Holders in the same process wait for each other like any other.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const content = await acquire(file, options.timeoutMs ?? 90_000)
  try {
    return await fn()
  } finally {
    // Only remove what is still ours; a failure here must not hide fn's outcome.
    if ((await readFile(file, 'utf8').catch(() => undefined)) === content) await unlink(file).catch(() => {})
  }
}

async function acquire(file: string, timeoutMs: number): Promise<string> {
  const content = `${process.pid}\n${(await processStartTime(process.pid)) ?? ''}\n`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const handle = await open(file, 'wx', 0o644)
      try {
        await handle.writeFile(content)
      } finally {
        await handle.close()
      }
      return content
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EmbeddedPostgresError(`cannot create the lock file ${file}: ${(error as Error).message}`, {
          cause: error,
        })
      }
    }
    const seen = await readFile(file, 'utf8').catch(() => undefined)
    if (seen !== undefined && (await isStale(file, seen))) {
      await breakStale(file, seen)
      continue
    }
    if (Date.now() > deadline) {
      const holder = seen?.split('\n')[0] || 'unknown'
      throw new EmbeddedPostgresError(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${file}, held by process ${holder}. ` +
          'If no oban command is running, delete that file and try again.',
      )
    }
    // Jitter keeps several waiters from polling in lockstep.
    await sleep(25 + Math.random() * 50)
  }
}

async function isStale(file: string, content: string): Promise<boolean> {
  const [pidText, startTime] = content.split('\n')
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) {
    // Empty or garbled: maybe a writer between open and write; stale once it is old.
    const age = await stat(file).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    )
    return age > EMPTY_LOCK_GRACE_MS
  }
  if ((await processState(pid)) !== 'alive') return true
  if (startTime) {
    const current = await processStartTime(pid)
    if (current !== undefined && current !== startTime) return true
  }
  return false
}

/**
 * Removes a stale lock, but only if it still holds what we judged stale. The check and the
 * removal happen under a second, short-lived lock (`<file>.break`), so that two waiters cannot
 * both break the old lock and then remove the new one that the first of them created.
 */
async function breakStale(file: string, seen: string): Promise<void> {
  const guard = `${file}.break`
  let handle
  try {
    handle = await open(guard, 'wx', 0o644)
  } catch {
    // Someone else is breaking it. A guard left by a crash expires after a grace period.
    const age = await stat(guard).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    )
    if (age > EMPTY_LOCK_GRACE_MS) await unlink(guard).catch(() => {})
    await sleep(20)
    return
  }
  try {
    if ((await readFile(file, 'utf8').catch(() => undefined)) === seen) await unlink(file).catch(() => {})
  } finally {
    await handle.close()
    await unlink(guard).catch(() => {})
  }
}
