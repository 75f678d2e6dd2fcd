import {execFile} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {EmbeddedPostgresError} from '../../errors.js'

/** A uid/gid pair to run PostgreSQL's programs as (only ever set when we run as root). */
export interface RunAs {
  uid: number
  gid: number
}

/** What a finished tool run produced. A non-zero exit is a result, not an exception. */
export interface ToolResult {
  code: number
  stdout: string
  stderr: string
}

/** uid/gid of `nobody` on Linux and macOS; PostgreSQL refuses to run as root, and it needs no /etc entry. */
export const NOBODY: RunAs = Object.freeze({uid: 65534, gid: 65534})

/** True when this process runs as root (never on Windows, which has no uids). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0
}

/**
 * The environment for PostgreSQL's programs: ours without PG* variables (PGDATA, PGPORT, PGOPTIONS
 * ... would silently change what initdb and pg_ctl do) and with the C locale, so the cluster is
 * created the same way on every machine (P9).
 */
export function toolEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!/^PG/i.test(key)) env[key] = value
  return {...env, LC_ALL: 'C', LANG: 'C'}
}

/**
 * Runs one of PostgreSQL's programs with explicit arguments (no shell) and resolves with its exit
 * code and output. Failing to launch it at all (missing file, no permission) rejects with an
 * {@link EmbeddedPostgresError}. The working directory is `/`, because the caller's directory may
 * be unreadable for `nobody` and PostgreSQL's programs look at it while locating themselves.
 */
export function runTool(
  file: string,
  args: readonly string[],
  options: {runAs?: RunAs; timeoutMs?: number} = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: '/',
        env: toolEnvironment(),
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
        windowsHide: true,
        ...(options.runAs ?? {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({code: 0, stdout, stderr})
        const code = (error as NodeJS.ErrnoException & {code?: unknown}).code
        if (typeof code === 'number') return resolve({code, stdout, stderr})
        const signal = (error as {signal?: string | null}).signal
        if (error.killed || signal) {
          const why = error.killed ? `killed after ${options.timeoutMs ?? 120_000} ms` : `killed by ${signal}`
          return resolve({code: -1, stdout, stderr: `${stderr}\n(${why})`})
        }
        const as = options.runAs ? ` as uid ${options.runAs.uid}` : ''
        reject(new EmbeddedPostgresError(`could not run ${file}${as}: ${error.message}`, {cause: error}))
      },
    )
  })
}

/** Whether a process exists: `zombie` means it exited but nobody reaped it yet (it still holds its pid). */
export type ProcessState = 'alive' | 'zombie' | 'dead'

/**
 * Tells whether `pid` names a live process. `kill(pid, 0)` alone is not enough: a zombie still
 * answers, and an orphaned postmaster killed with -9 stays one until init reaps it.
 */
export async function processState(pid: number): Promise<ProcessState> {
  if (!Number.isInteger(pid) || pid <= 0) return 'dead'
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead'
  }
  const stat = await procStat(pid)
  if (stat === undefined) return process.platform === 'linux' ? 'dead' : 'alive'
  return stat.state === 'Z' || stat.state === 'X' ? 'zombie' : 'alive'
}

/**
 * When a process started, in clock ticks since boot (Linux only; undefined elsewhere). Together
 * with the pid it identifies a process even after its pid has been reused.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  return (await procStat(pid))?.startTime
}

async function procStat(pid: number): Promise<{state: string; startTime: string} | undefined> {
  if (process.platform !== 'linux') return undefined
  let text: string
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const state = fields[0]
  const startTime = fields[19]
  return state === undefined || startTime === undefined ? undefined : {state, startTime}
}

/**
 * The argument vector of a running process, or undefined when it cannot be read (gone, or a
 * platform without /proc where `ps` is asked instead, splitting on spaces as a best effort).
 */
export async function processCommandLine(pid: number): Promise<string[] | undefined> {
  if (process.platform === 'linux') {
    try {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8')
      const argv = raw.split('\0')
      if (argv.at(-1) === '') argv.pop()
      return argv.length > 0 ? argv : undefined
    } catch {
      return undefined
    }
  }
  if (process.platform === 'win32') return undefined
  try {
    const result = await runTool('ps', ['-o', 'command=', '-p', String(pid)], {timeoutMs: 5_000})
    const line = result.stdout.trim()
    return result.code === 0 && line !== '' ? line.split(/\s+/) : undefined
  } catch {
    return undefined
  }
}

/**
 * How many processes are still attached to System V shared memory segment `shmid` (Linux only,
 * from /proc/sysvipc/shm; undefined when unknown). A postmaster killed with -9 leaves backends
 * attached for a moment; starting a new one over them would let two servers write the same files.
 */
export async function sharedMemoryAttachments(shmid: number): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined
  let text: string
  try {
    text = await readFile('/proc/sysvipc/shm', 'utf8')
  } catch {
    return undefined
  }
  const lines = text.trim().split('\n')
  const header = lines.shift()?.trim().split(/\s+/) ?? []
  const idColumn = header.indexOf('shmid')
  const attachColumn = header.indexOf('nattch')
  if (idColumn < 0 || attachColumn < 0) return undefined
  for (const line of lines) {
    const columns = line.trim().split(/\s+/)
    if (Number(columns[idColumn]) === shmid) return Number(columns[attachColumn])
  }
  return 0
}
