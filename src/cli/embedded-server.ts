import {describeDatabase} from '../db/connection-url.js'
import {
  embeddedStatus,
  serverClients,
  stopEmbedded,
  type EmbeddedStatus,
  type EmbeddedStopResult,
  type ServerClients,
} from '../db/embedded/index.js'
import {ConfirmationDeclinedError, ConfirmationRequiredError, UsageError} from '../errors.js'
import {askYesNo, canPrompt} from './confirm.js'

/* The work of `oban db start|stop|url|status`: the embedded PostgreSQL under the data directory. */

export {embeddedDatabaseUrl} from '../operator/job-operations.js'
export {startEmbeddedForUser, type EmbeddedServer, type EmbeddedStopResult} from '../db/embedded/index.js'

/**
 * `oban db start|stop|url` act on the embedded server only: `--database-url` names another
 * server, and ignoring it would act on the wrong one (stop the embedded server under its nodes
 * while the user meant an external one). One line, exit code 2.
 */
export function refuseExternalUrl(command: string, url: string | undefined): void {
  if (!url) return
  throw new UsageError(
    `oban db ${command} manages the embedded PostgreSQL under .oban/, not ${describeDatabase(url)}: leave --database-url out, and manage that server with its own tools`,
  )
}

/**
 * `oban db stop`: stops the embedded server, but first says who is connected (running nodes by
 * instance and node name, other clients by application name) and asks on a terminal; off a
 * terminal it refuses while anyone is connected (ConfirmationRequiredError) unless `force`.
 */
export async function stopEmbeddedForUser(options: {dataDir?: string; force: boolean}): Promise<EmbeddedStopResult> {
  const status = await embeddedStatus({dataDir: options.dataDir})
  if (status.running && status.url && !options.force) {
    const who = describeClients(await serverClients(status.url))
    if (who) {
      if (!canPrompt())
        throw new ConfirmationRequiredError(
          `refusing to stop the embedded PostgreSQL: ${who} connected, and stopping it disconnects them; stop them first, or pass --force`,
        )
      if (
        !(await askYesNo(`${upperFirst(who)} connected; stopping the embedded PostgreSQL disconnects them. Stop it?`))
      )
        throw new ConfirmationDeclinedError('not confirmed: the embedded PostgreSQL keeps running')
    }
  }
  return stopEmbedded({dataDir: options.dataDir})
}

/**
 * `2 Oban nodes (Oban.a, Oban.b) and 1 other connection (psql)`, or the empty string when nobody
 * is connected. A node's pool is named `oban-ts <instance> <node>`; its LISTEN connection
 * (`oban_notifier`) belongs to a node already counted.
 */
export function describeClients(clients: readonly ServerClients[]): string {
  const nodes: string[] = []
  const others: ServerClients[] = []
  for (const client of clients) {
    const node = /^oban-ts (\S+) (\S+)$/.exec(client.application)
    if (node && node[1] !== 'plugin') nodes.push(`${node[1]}.${node[2]}`)
    else others.push(client)
  }
  const rest = nodes.length > 0 ? others.filter((c) => c.application !== 'oban_notifier') : others
  const parts: string[] = []
  if (nodes.length > 0) parts.push(`${nodes.length} Oban node${nodes.length === 1 ? '' : 's'} (${nodes.join(', ')})`)
  const count = rest.reduce((sum, c) => sum + c.connections, 0)
  if (count > 0) {
    const names = [...new Set(rest.map((c) => c.application || 'unnamed'))].join(', ')
    parts.push(`${count} ${nodes.length > 0 ? 'other ' : ''}connection${count === 1 ? '' : 's'} (${names})`)
  }
  if (parts.length === 0) return ''
  const text = parts.join(' and ')
  return `${text} ${nodes.length + count === 1 ? 'is' : 'are'}`
}

function upperFirst(text: string): string {
  return text.length > 0 ? `${text[0]!.toUpperCase()}${text.slice(1)}` : text
}

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
