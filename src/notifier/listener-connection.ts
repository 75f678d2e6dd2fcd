import type pg from 'pg'
import pgDriver from '../db/pg-driver.js'
import {quoteIdent} from '../db/identifier.js'
import {endClient} from '../db/pool.js'

export interface ListenerConnectionOptions {
  url: string
  /** Shown in pg_stat_activity (PostgreSQL truncates it to 63 bytes). */
  applicationName: string
  /** Every notification this connection receives, raw. */
  onNotification: (channel: string, payload: string) => void
  /**
   * Called at most once, when the connection fails or ends after `connect()` succeeded and
   * before `close()` was called. Never called for a failure during `connect()` (that rejects).
   */
  onLost: (error: Error) => void
}

// TCP keepalive probes start after this much idle time (pg's default of 0 means the OS default,
// two hours on Linux), so a peer that vanished without a FIN is noticed in about a minute even
// without the notifier's health check.
const KEEPALIVE_DELAY_MS = 10_000
const CONNECT_TIMEOUT_MS = 10_000

/**
 * One dedicated `pg.Client` for LISTEN, never a pool checkout: its lifetime is the notifier's and
 * it must not hold up `pool.end()`. A client is single-use after a connection error (later
 * queries fail with "Client has encountered a connection error and is not queryable"), so the
 * notifier builds a new ListenerConnection to reconnect. pg emits `error` twice when the backend
 * is terminated and then `end`; all of them funnel into a single `onLost`.
 */
export class ListenerConnection {
  private readonly client: pg.Client
  private connected = false
  private finished = false
  private closing: Promise<void> | undefined
  private rejectConnect: ((error: Error) => void) | undefined
  /** The last command sent: commands are chained, as pg wants one query at a time per client. */
  private tail: Promise<unknown> = Promise.resolve()

  constructor(private readonly options: ListenerConnectionOptions) {
    this.client = new pgDriver.Client({
      connectionString: options.url,
      application_name: options.applicationName,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    })
    this.client.on('error', (error) => this.lost(error))
    this.client.on('end', () => this.lost(new Error('the listener connection ended')))
    this.client.on('notification', (message) => {
      if (!this.finished) options.onNotification(message.channel, message.payload ?? '')
    })
  }

  /** The backend's process id once connected (for pg_terminate_backend in tests, and logs). */
  get pid(): number | undefined {
    const {processID} = this.client as unknown as {processID?: number | null}
    return processID ?? undefined
  }

  /** Connects; rejects with pg's error (translate it with `toUnreachable`). */
  async connect(): Promise<void> {
    // pg never settles connect() when end() is called meanwhile (its `end` handler skips the
    // connect callback once ending), so close() rejects this race instead.
    const closed = new Promise<never>((_, reject) => (this.rejectConnect = reject))
    try {
      await Promise.race([this.client.connect(), closed])
    } finally {
      this.rejectConnect = undefined
    }
    if (this.finished) throw new Error('the listener connection was closed while connecting')
    this.connected = true
  }

  /** LISTENs on full channel names, in one simple-protocol round trip. */
  async listen(channels: readonly string[]): Promise<void> {
    if (channels.length === 0) return
    await this.command(channels.map((c) => `LISTEN ${quoteIdent(c)}`).join('; '))
  }

  async unlisten(channels: readonly string[]): Promise<void> {
    if (channels.length === 0) return
    await this.command(channels.map((c) => `UNLISTEN ${quoteIdent(c)}`).join('; '))
  }

  /** Sends a statement after the previous one settled (pg deprecates overlapping queries on one client). */
  private command(sql: string): Promise<unknown> {
    const run = this.tail.then(
      () => this.client.query(sql),
      () => this.client.query(sql),
    )
    this.tail = run.catch(() => undefined)
    return run
  }

  /**
   * A cheap round trip that proves the socket is alive. Rejects on error or after `timeoutMs`; a
   * query still hanging then is dropped with the socket by `close()`.
   */
  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the listener connection did not answer within ${timeoutMs}ms`)),
        timeoutMs,
      )
    })
    try {
      await Promise.race([this.command('SELECT 1'), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Closes the connection for good; idempotent; `onLost` is not called afterwards. Never rejects. */
  close(): Promise<void> {
    this.finished = true
    this.rejectConnect?.(new Error('the listener connection was closed while connecting'))
    this.closing ??= endClient(this.client)
    return this.closing
  }

  private lost(error: Error): void {
    if (this.finished) return
    this.finished = true
    if (this.connected) this.options.onLost(error)
  }
}
