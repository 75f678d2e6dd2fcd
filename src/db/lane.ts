import type pg from 'pg'
import type {Pool, PoolClient, Queryable} from './pool.js'

/** A pool smaller than this lends no connection to a lane: its few connections stay shared. */
const MIN_POOL_FOR_LANES = 8

/**
 * A pool connection kept checked out for one caller whose statements mostly come one at a time:
 * the fetches of an instance's producers, the acker's writes, inserts made one after another.
 * A statement runs on the held connection when it is free, and through the pool when it is busy,
 * so statements issued together still run together.
 *
 * Why: `pool.query` checks a client out and back in for every statement (a timer for the
 * checkout timeout, another for the idle timeout, listeners, a nextTick), ~0.1 ms on a quiet
 * process, and a fetch sits on the path from an insert to its job starting (bench/README.md).
 * pg-pool has no sticky checkout, so this is written here.
 *
 * The connection is taken from the pool in the background when the first statement arrives
 * (that statement goes through the pool), so the pool's size still bounds the instance's
 * connections; a pool under {@link MIN_POOL_FOR_LANES} connections lends none and every
 * statement goes through it. A connection that errors or ends is handed back to the pool as
 * broken (the pool discards it) and a later statement takes another. `close()` hands the
 * connection back: call it once no more statements come, before the pool's `end()`.
 */
export class Lane implements Queryable {
  private client?: PoolClient
  private taking = false
  private busy = false
  private closed = false
  private readonly holds: boolean
  /** The held client's error/end listener (a dropped client's late events change nothing). */
  private onLost?: () => void

  constructor(private readonly pool: Pool) {
    this.holds = (pool.options.max ?? 10) >= MIN_POOL_FOR_LANES
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    textOrConfig: string | pg.QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const client = this.client
    if (client !== undefined && !this.busy) return this.run<R>(client, textOrConfig, values)
    if (client === undefined) this.take()
    return this.pool.query<R>(textOrConfig, values)
  }

  /** Whether a connection is held now (statements run on it while it is free). */
  get holding(): boolean {
    return this.client !== undefined
  }

  /** Hands the held connection back to the pool (after the statement running on it, if any). */
  close(): void {
    this.closed = true
    if (!this.busy) this.handBack()
  }

  private async run<R extends pg.QueryResultRow>(
    client: PoolClient,
    textOrConfig: string | pg.QueryConfig<unknown[]>,
    values: unknown[] | undefined,
  ): Promise<pg.QueryResult<R>> {
    this.busy = true
    try {
      return await client.query<R>(textOrConfig, values)
    } finally {
      this.busy = false
      if (this.closed) this.handBack()
    }
  }

  private take(): void {
    if (!this.holds || this.taking || this.closed) return
    this.taking = true
    this.pool.connect().then(
      (client) => {
        this.taking = false
        if (this.closed) return client.release()
        // A held client has no pool listener: without ours, its connection's error would be unhandled.
        this.onLost = () => {
          if (this.client === client) this.drop()
        }
        client.on('error', this.onLost)
        client.on('end', this.onLost)
        this.client = client
      },
      // The pool cannot connect now: statements go through it and report that themselves.
      () => {
        this.taking = false
      },
    )
  }

  /** A broken connection: the pool destroys it. The error listener stays, for errors while it closes. */
  private drop(): void {
    const client = this.client
    this.client = undefined
    client?.release(true)
  }

  private handBack(): void {
    const client = this.client
    if (!client) return
    this.client = undefined
    if (this.onLost) {
      client.off('error', this.onLost)
      client.off('end', this.onLost)
    }
    client.release()
  }
}
