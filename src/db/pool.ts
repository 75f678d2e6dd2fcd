import type pg from 'pg'
import pgDriver from './pg-driver.js'
import {describeDatabase, parseDatabaseUrl} from './connection-url.js'
import {DatabaseUnreachableError} from '../errors.js'
import {quoteIdent, validatePrefix} from './identifier.js'
import {obanTypes} from './types.js'

export type Pool = pg.Pool
export type PoolClient = pg.PoolClient

/** Anything that runs a parameterised query: a pool, a checked-out client or a plain client. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    textOrConfig: string | pg.QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>
}

export interface PoolOptions {
  /** Maximum connections (default 10, as Ecto's default pool). */
  max?: number
  /** Shown in pg_stat_activity. */
  applicationName?: string
  /** Lets a one-shot command exit even if someone forgets `end()`; never the shutdown mechanism of a long-lived instance. */
  allowExitOnIdle?: boolean
  /** Receives errors of idle clients (the backend died); without a handler they would crash the process. */
  onError?: (error: Error) => void
  /**
   * Schemas for the connections' search_path (set at connect, as a startup option), e.g. an
   * instance's prefix so that plugins' unqualified table names resolve in it. Each name is
   * validated as an identifier and quoted. Note that PgBouncer refuses startup options unless
   * `ignore_startup_parameters` lists `options`.
   */
  searchPath?: readonly string[]
  /**
   * `named` (default): a statement given a `name` is prepared once per connection and reused.
   * `unnamed`: names are dropped, so every statement is parsed in the transaction that runs it,
   * as PgBouncer in transaction mode needs (before 1.21 it does not track prepared statements,
   * and the next transaction may run on another server connection).
   */
  prepare?: 'named' | 'unnamed'
}

/**
 * A pg client that never prepares a named statement: the `name` of a query config is dropped.
 * node-postgres then uses the unnamed statement (Parse, Bind, Execute in one round trip).
 */
class UnnamedClient extends pgDriver.Client {
  override query(...args: unknown[]): never {
    const [first, ...rest] = args
    const unnamed =
      typeof first === 'object' && first !== null && 'name' in first && 'text' in first
        ? {...(first as pg.QueryConfig), name: undefined}
        : first
    return (super.query as (...a: unknown[]) => never)(unnamed, ...rest)
  }
}

/**
 * Creates a pool for a validated URL. The `error` handler is attached here, at creation, because
 * an idle client whose backend dies emits `error` on the pool and an unhandled one kills the
 * process.
 */
export function createPool(url: string, options: PoolOptions = {}): Pool {
  parseDatabaseUrl(url)
  const pool = new pgDriver.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'oban-ts',
    allowExitOnIdle: options.allowExitOnIdle ?? false,
    connectionTimeoutMillis: 10_000,
    types: obanTypes,
    ...(options.prepare === 'unnamed' ? {Client: UnnamedClient} : {}),
    ...(options.searchPath && options.searchPath.length > 0
      ? {options: `-c search_path=${options.searchPath.map((name) => quoteIdent(validatePrefix(name))).join(',')}`}
      : {}),
  })
  pool.on('error', (error) => options.onError?.(error))
  return pool
}

/**
 * A client with the pool's settings (server, application name, search path, type parsers) that
 * the pool does not manage: for a session that must outlive any pool checkout, whose identity
 * matters (a session-level advisory lock), on `url` when given (a direct URL beside a pooled
 * one, see ResolvedDatabase.directUrl). TCP keepalive is on, so a server that vanished without
 * a word is noticed in about a minute. The caller connects it, and must listen to its `error`
 * event (an unhandled one kills the process) and end it.
 */
export function createDedicatedClient(pool: Pool, url?: string): pg.Client {
  const options = {...pool.options, keepAlive: true, keepAliveInitialDelayMillis: 10_000}
  if (url !== undefined) return new pgDriver.Client({...options, connectionString: url})
  // Through the pool's URL, statements follow the pool's `prepare`.
  return options.Client === UnnamedClient ? new UnnamedClient(options) : new pgDriver.Client(options)
}

// How long endClient waits for a graceful goodbye before destroying the socket: a dead peer never
// acknowledges, and a half-open socket would keep the process alive.
const END_GRACE_MS = 1_000

/**
 * Ends a dedicated client (a LISTEN or lease session): a graceful goodbye for up to a second, then
 * the socket is destroyed whatever happened. Never rejects.
 */
export async function endClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, END_GRACE_MS)))
  try {
    // pg's end() already destroys the socket when a query is active or the client is broken.
    await Promise.race([client.end().catch(() => undefined), grace])
  } finally {
    clearTimeout(timer)
    client.connection.stream.destroy()
  }
}

/**
 * Runs a trivial query so that an unreachable or misconfigured server is reported once, clearly,
 * before anything else starts. Connection errors become {@link DatabaseUnreachableError}.
 */
export async function checkConnection(pool: Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1')
  } catch (error) {
    throw toUnreachable(error, url)
  }
}

/** Translates a pg/socket connection failure into a one-line, password-free domain error. */
export function toUnreachable(error: unknown, url: string): unknown {
  const code = (error as {code?: string} | undefined)?.code
  const where = describeDatabase(url)
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is the server running and listening there?)',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    '3D000': 'database does not exist',
    '28P01': 'password authentication failed',
    '28000': 'authentication rejected',
  }
  const reason = code ? reasons[code] : undefined
  if (reason) return new DatabaseUnreachableError(`cannot connect to ${where}: ${reason}`, {cause: error})
  if (error instanceof Error && /timeout|terminated|ECONNRESET/i.test(error.message)) {
    return new DatabaseUnreachableError(`cannot connect to ${where}: ${error.message}`, {cause: error})
  }
  return error
}
