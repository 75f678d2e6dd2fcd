import {describeDatabase} from '../db/connection-url.js'
import {embeddedStatus, type EmbeddedStatus} from '../db/embedded/index.js'

/* The work of `oban db start|stop|url|status`: the embedded PostgreSQL under the data directory. */

export {
  embeddedUrl,
  startEmbeddedForUser,
  stopEmbedded,
  type EmbeddedServer,
  type EmbeddedStopResult,
} from '../db/embedded/index.js'

/** `oban db status --json`: the embedded server's state, plus the external database other commands would use instead. */
export type DbStatusJson = EmbeddedStatus & {
  external: {source: '--database-url' | 'DATABASE_URL' | 'OBAN_DATABASE_URL'; database: string} | null
}

/**
 * `oban db status`: reads the data directory and the server's postmaster.pid, starting and
 * changing nothing; problems that would stop the server from starting are reported, not raised.
 */
export async function readDbStatus(flags: {'database-url'?: string; 'data-dir'?: string}): Promise<DbStatusJson> {
  const status = await embeddedStatus({dataDir: flags['data-dir']})
  return {...status, external: externalDatabase(flags['database-url'])}
}

/** The lines of `oban db status`: the external database first, when one is configured. */
export function describeDbStatus(status: DbStatusJson): string[] {
  const lines: string[] = []
  const {external} = status
  if (external) {
    lines.push(
      `External database configured (${external.source}): ${external.database}. Commands use it, not the embedded server.`,
    )
  }
  if (status.running) {
    lines.push(
      `Embedded PostgreSQL ${status.pgVersion} is running (pid ${status.pid}) at ${status.url} (data: ${status.dataDir}).`,
    )
  } else if (status.initialized) {
    lines.push(
      `Embedded PostgreSQL is stopped (data: ${status.dataDir}). It starts on first use, or with \`oban db start\`.`,
    )
  } else {
    lines.push(
      `No embedded PostgreSQL in ${status.dataDir} yet. It is created on first use, or with \`oban db start\`.`,
    )
  }
  if (status.problem) lines.push(`Problem: ${status.problem}`)
  return lines
}

/** The database other commands use instead of the embedded server: the flag, then the environment. */
function externalDatabase(flag: string | undefined): DbStatusJson['external'] {
  if (flag) return {source: '--database-url', database: describeDatabase(flag)}
  for (const name of ['DATABASE_URL', 'OBAN_DATABASE_URL'] as const) {
    const value = process.env[name]
    if (value) return {source: name, database: describeDatabase(value)}
  }
  return null
}
