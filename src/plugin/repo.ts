import type {Pool, PoolClient} from '../db/pool.js'
import {transactionOn, withTransaction} from '../db/transaction.js'
import type {Repo} from './plugin.js'

/**
 * The search_path for an instance's pool, so that unqualified table names in plugin queries
 * resolve in the instance's prefix (Oban's `Repo.all(conf, query)` applies `conf.prefix`). For
 * `public` the server's default is kept. Otherwise the prefix comes first and `public` stays
 * after it, so extension functions installed there remain reachable. Our own engine SQL is
 * schema-qualified and unaffected.
 */
export function searchPathFor(prefix: string): string[] | undefined {
  return prefix === 'public' ? undefined : [prefix, 'public']
}

/**
 * The {@link Repo} a plugin receives: queries on the instance's pool (whose connections have the
 * prefix on their search_path, see {@link searchPathFor}), with bound parameters only.
 * `transaction` runs on one checked-out connection and rolls back if `fn` throws; a transaction
 * inside a transaction is a savepoint.
 */
export function createRepo(pool: Pool, prefix: string): Repo {
  return {
    prefix,
    async query<Row extends Record<string, unknown>>(text: string, values: readonly unknown[] = []) {
      const result = await pool.query<Row>(text, [...values])
      return result.rows
    },
    transaction: <T>(fn: (tx: Repo) => Promise<T>): Promise<T> =>
      withTransaction(pool, (client) => fn(transactionRepo(client, prefix, 1))),
  }
}

/** The Repo of a transaction at `depth`: its own `transaction` is a savepoint one level deeper. */
function transactionRepo(client: PoolClient, prefix: string, depth: number): Repo {
  return {
    prefix,
    async query<Row extends Record<string, unknown>>(text: string, values: readonly unknown[] = []) {
      return (await client.query<Row>(text, [...values])).rows
    },
    // Savepoint names are ours (a depth counter), never user input.
    transaction: (inner) =>
      transactionOn(client, () => inner(transactionRepo(client, prefix, depth + 1)), {savepoint: `oban_repo_${depth}`}),
  }
}
