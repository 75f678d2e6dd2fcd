import type pg from 'pg'
import type {Pool, PoolClient, Queryable} from './pool.js'

/** A connection a transaction can run on: a pool client, or a client the caller owns. */
export type TransactionClient = Queryable

export interface TransactionOptions {
  /**
   * Run as a savepoint of this name inside the transaction the client is already in (nested
   * transactions). The name is interpolated: it must be ours, never user input.
   */
  savepoint?: string
}

// Set on the work's error when its ROLLBACK failed too: the connection is in an unknown state.
const ROLLBACK_FAILED = Symbol.for('oban-ts.rollback-failed')

/** Whether `error` left its connection in an unknown state (its ROLLBACK failed). */
export function rollbackFailed(error: unknown): boolean {
  return error !== null && typeof error === 'object' && ROLLBACK_FAILED in error
}

/**
 * Runs `work` between BEGIN and COMMIT on a connection the caller holds (and releases), or
 * between SAVEPOINT and RELEASE with `options.savepoint`. When `work` throws, the transaction is
 * rolled back and the work's error is rethrown; when the rollback fails as well, that error is
 * marked (see {@link rollbackFailed}) so that whoever owns the connection discards it.
 */
export async function transactionOn<T>(
  client: TransactionClient,
  work: () => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const {savepoint} = options
  await client.query(savepoint === undefined ? 'BEGIN' : `SAVEPOINT ${savepoint}`)
  try {
    const result = await work()
    await client.query(savepoint === undefined ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`)
    return result
  } catch (error) {
    try {
      await client.query(savepoint === undefined ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`)
    } catch {
      if (error !== null && typeof error === 'object') Object.defineProperty(error, ROLLBACK_FAILED, {value: true})
    }
    throw error
  }
}

/**
 * Runs `work` in a transaction on a client of `pool` ({@link transactionOn}) and returns the
 * client to the pool, or destroys it when its rollback failed (a lost connection, typically), so
 * that no later query inherits a broken session.
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    return await transactionOn(client, () => work(client))
  } catch (error) {
    if (rollbackFailed(error)) broken = error instanceof Error ? error : new Error(String(error))
    throw error
  } finally {
    client.release(broken)
  }
}

/** A connection a caller hands us to run in their transaction, or idle. */
export type CallerClient = PoolClient | pg.Client

/**
 * Runs `work` in a transaction: the caller's, when `client` is in one; a transaction of ours on
 * `client` when it is idle; otherwise on a pool client, committed before returning.
 */
export async function inTransaction<T>(
  pool: Pool,
  client: CallerClient | undefined,
  work: (db: Queryable) => Promise<T>,
): Promise<T> {
  if (!client) return withTransaction(pool, work)
  if (client.getTransactionStatus() !== 'I') return work(client)
  return transactionOn(client, () => work(client))
}
