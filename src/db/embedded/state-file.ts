import {readFile, rename, writeFile} from 'node:fs/promises'
import {EmbeddedPostgresError} from '../../errors.js'
import type {DataDirLayout} from './data-dir.js'

/**
 * `.oban/embedded.json`: what was decided when the cluster was created. The port is where the
 * server is started; clients read the port of a running server from its postmaster.pid instead,
 * because that is the truth even if this file was edited since.
 */
export interface EmbeddedState {
  /** Major version of the binaries that created the cluster (P7: a data dir only opens with it). */
  pgMajor: number
  /** Full PostgreSQL version of those binaries, for messages. */
  pgVersion: string
  /** TCP port on 127.0.0.1, chosen free at init (never 5432). */
  port: number
  /** The package that created the cluster, `name@version`. */
  package: string
  /** The binaries' directory used last (informational: it is resolved again on every start). */
  binDir: string
  createdAt: string
}

/**
 * Reads the state file: undefined when it does not exist, an {@link EmbeddedPostgresError} naming
 * the file and the fix when it is not what we wrote.
 */
export async function readState(layout: DataDirLayout): Promise<EmbeddedState | undefined> {
  let text: string
  try {
    text = await readFile(layout.stateFile, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw corrupt(layout, (error as Error).message, error)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw corrupt(layout, 'not JSON', error)
  }
  const state = value as Partial<EmbeddedState> | null
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw corrupt(layout, 'not a JSON object')
  if (!Number.isInteger(state.pgMajor) || (state.pgMajor ?? 0) < 1)
    throw corrupt(layout, 'pgMajor is missing or invalid')
  if (!Number.isInteger(state.port) || (state.port ?? 0) < 1 || (state.port ?? 0) > 65535) {
    throw corrupt(layout, 'port is missing or invalid')
  }
  return {
    pgMajor: state.pgMajor!,
    pgVersion: typeof state.pgVersion === 'string' ? state.pgVersion : String(state.pgMajor),
    port: state.port!,
    package: typeof state.package === 'string' ? state.package : 'unknown',
    binDir: typeof state.binDir === 'string' ? state.binDir : '',
    createdAt: typeof state.createdAt === 'string' ? state.createdAt : '',
  }
}

/** Writes the state file atomically (temporary file + rename), so readers never see half of it. */
export async function writeState(layout: DataDirLayout, state: EmbeddedState): Promise<void> {
  const temporary = `${layout.stateFile}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, {mode: 0o644})
  await rename(temporary, layout.stateFile)
}

function corrupt(layout: DataDirLayout, reason: string, cause?: unknown): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `the embedded PostgreSQL state file ${layout.stateFile} is unreadable (${reason}). ` +
      'Delete that file and run the command again: it is re-created from the data directory, and the data is kept.',
    {cause},
  )
}
