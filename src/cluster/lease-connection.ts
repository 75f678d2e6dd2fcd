import type pg from 'pg'
import {createDedicatedClient, endClient, type Pool, type Queryable} from '../db/pool.js'

/**
 * The session a Peer holds its elections on, outside the pool, for as long as it leads: the
 * session-level lease lock it takes there (see engine/peer-lock.ts) lives exactly as long as this
 * session, which is what lets followers tell a dead leader from a live one. `onLost` is called at
 * most once, as soon as pg reports the connection failed or ended (not after `close()`): the Peer
 * stops leading at once, since it can no longer prove it is alive.
 */
export class LeaseConnection implements Queryable {
  /** The lease lock is held on this session (taken once: each success counts). */
  locked = false
  private readonly client: pg.Client
  private finished = false
  private connected = false
  private closing: Promise<void> | undefined

  /** `url`: a direct URL beside a pooled one (see createDedicatedClient); default the pool's. */
  constructor(pool: Pool, onLost: (error: Error) => void, url?: string) {
    this.client = createDedicatedClient(pool, url)
    const lost = (error: Error) => {
      if (this.finished) return
      this.finished = true
      if (this.connected) onLost(error)
    }
    this.client.on('error', lost)
    this.client.on('end', () => lost(new Error('the lease connection ended')))
  }

  /** Whether the session is usable: connected, and neither lost nor closed. */
  get alive(): boolean {
    return this.connected && !this.finished
  }

  async connect(): Promise<void> {
    await this.client.connect()
    this.connected = true
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    textOrConfig: string | pg.QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return typeof textOrConfig === 'string'
      ? this.client.query<R>(textOrConfig, values)
      : this.client.query<R>(textOrConfig)
  }

  /** Ends the session (releasing its lock); idempotent, never rejects. */
  close(): Promise<void> {
    this.finished = true
    this.closing ??= endClient(this.client)
    return this.closing
  }
}
