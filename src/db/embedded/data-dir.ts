import {stat} from 'node:fs/promises'
import path from 'node:path'

/** Where one embedded server keeps its files; every path is absolute. */
export interface DataDirLayout {
  /** The `.oban` directory (or --data-dir / OBAN_DATA_DIR): everything below belongs to us. */
  dataDir: string
  /** PGDATA: mode 0700, owned by the server's user. */
  pgData: string
  /** `embedded.json`: major version and port chosen at init ({@link EmbeddedState}). */
  stateFile: string
  /** The init/start/stop mutex between oban processes. */
  lockFile: string
  /** The server's log (`pg_ctl -l`); inside PGDATA because only the server's user may write there. */
  logFile: string
}

export interface DataDirOptions {
  /** An explicit data directory (`--data-dir`); relative paths are taken from `cwd`. */
  dataDir?: string
  /** Where the project search starts (default process.cwd()). */
  cwd?: string
  /** Read for OBAN_DATA_DIR (default process.env). */
  env?: NodeJS.ProcessEnv
}

/** The name of the per-project directory. */
export const DATA_DIR_NAME = '.oban'

/**
 * Resolves the data directory without creating anything: the explicit `dataDir`, then
 * OBAN_DATA_DIR, then `<project>/.oban`, where the project is the nearest ancestor of `cwd` that
 * already has a `.oban/` directory, else the nearest with a package.json, else `cwd` itself. So
 * `oban start` in the project root and a later command in a subdirectory find the same server.
 */
export async function resolveDataDir(options: DataDirOptions = {}): Promise<DataDirLayout> {
  const cwd = path.resolve(options.cwd ?? process.cwd())
  const explicit = options.dataDir || (options.env ?? process.env).OBAN_DATA_DIR
  if (explicit) return layoutOf(path.resolve(cwd, explicit))
  const project =
    (await nearestAncestor(cwd, (dir) => isDirectory(path.join(dir, DATA_DIR_NAME)))) ??
    (await nearestAncestor(cwd, (dir) => exists(path.join(dir, 'package.json')))) ??
    cwd
  return layoutOf(path.join(project, DATA_DIR_NAME))
}

/** The file layout under a data directory. */
export function layoutOf(dataDir: string): DataDirLayout {
  const pgData = path.join(dataDir, 'pg')
  return {
    dataDir,
    pgData,
    stateFile: path.join(dataDir, 'embedded.json'),
    lockFile: path.join(dataDir, 'lock'),
    logFile: path.join(pgData, 'server.log'),
  }
}

async function nearestAncestor(start: string, test: (dir: string) => Promise<boolean>): Promise<string | undefined> {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (await test(dir)) return dir
    if (path.dirname(dir) === dir) return undefined
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory()
  } catch {
    return false
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}
