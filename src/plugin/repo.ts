import type {Pool, PoolClient} from '../db/pool.js'
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
    async transaction<T>(fn: (tx: Repo) => Promise<T>): Promise<T> {
      const client = await pool.connect()
      let broken: Error | undefined
      try {
        return await inTransaction(client, prefix, 0, fn)
      } catch (error) {
        // A connection that could not even roll back is destroyed rather than reused.
        if ((error as {rollbackFailed?: boolean}).rollbackFailed) broken = error as Error
        throw error
      } finally {
        client.release(broken)
      }
    },
  }
}

async function inTransaction<T>(
  client: PoolClient,
  prefix: string,
  depth: number,
  fn: (tx: Repo) => Promise<T>,
): Promise<T> {
  // Savepoint names are ours (a depth counter), never user input.
  const savepoint = `oban_repo_${depth}`
  await client.query(depth === 0 ? 'BEGIN' : `SAVEPOINT ${savepoint}`)
  const tx: Repo = {
    prefix,
    async query<Row extends Record<string, unknown>>(text: string, values: readonly unknown[] = []) {
      return (await client.query<Row>(text, [...values])).rows
    },
    transaction: (inner) => inTransaction(client, prefix, depth + 1, inner),
  }
  try {
    const result = await fn(tx)
    await client.query(depth === 0 ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`)
    return result
  } catch (error) {
    try {
      await client.query(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`)
    } catch {
      if (error !== null && typeof error === 'object') Object.assign(error, {rollbackFailed: true})
    }
    throw error
  }
}
