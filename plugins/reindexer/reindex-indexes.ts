import {randomUUID} from 'node:crypto'
import {quoteIdent} from '../../src/db/identifier.js'
import {coerceError} from '../../src/errors.js'
import type {Repo} from '../../src/plugin/plugin.js'
import {setSafeTimeout} from '../../src/util/timer.js'

/** One statement of a reindex run that failed, as Oban reports it (`{query, error}`). */
export interface ReindexError {
  query: string
  error: string
}

export interface ReindexOutcome {
  /** Invalid leftovers dropped, as `schema.index`. */
  dropped: string[]
  /** Indexes rebuilt. */
  reindexed: string[]
  errors: ReindexError[]
}

/**
 * Oban's Reindexer run (reference/oban-spec.md §4.4): drops the invalid indexes of the prefix
 * whose names start with `oban_jobs` (what a failed or cancelled concurrent reindex leaves
 * behind: `..._ccnew`), then rebuilds each index with `REINDEX INDEX CONCURRENTLY`, which blocks
 * neither inserts nor updates. Every statement gets `timeoutMs`; failures are collected, not
 * thrown, so one bad index does not stop the others. Index names are quoted identifiers, never
 * parameters (DDL takes none).
 */
export async function reindexIndexes(
  repo: Repo,
  options: {indexes: readonly string[]; timeoutMs: number},
): Promise<ReindexOutcome> {
  const outcome: ReindexOutcome = {dropped: [], reindexed: [], errors: []}
  const attempt = async (query: string, done: () => void) => {
    try {
      await queryWithTimeout(repo, query, options.timeoutMs)
      done()
    } catch (error) {
      outcome.errors.push({query, error: coerceError(error).message})
    }
  }
  for (const {namespace, name} of await invalidIndexes(repo)) {
    const qualifiedName = `${quoteIdent(namespace)}.${quoteIdent(name)}`
    await attempt(`DROP INDEX CONCURRENTLY ${qualifiedName}`, () => outcome.dropped.push(`${namespace}.${name}`))
  }
  for (const index of options.indexes) {
    await attempt(`REINDEX INDEX CONCURRENTLY ${quoteIdent(repo.prefix)}.${quoteIdent(index)}`, () =>
      outcome.reindexed.push(index),
    )
  }
  return outcome
}

/** Invalid indexes of the prefix whose names start with `oban_jobs` (Oban's `fetch_deindex_queries`). */
export async function invalidIndexes(repo: Repo): Promise<{namespace: string; name: string}[]> {
  return repo.query<{namespace: string; name: string}>(
    `SELECT n.nspname AS namespace, c.relname AS name
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND NOT i.indisvalid AND starts_with(c.relname, 'oban_jobs')
      ORDER BY c.relname`,
    [repo.prefix],
  )
}

/**
 * Runs one statement with a time limit, as Oban's per-query `timeout`. The statement cannot run in
 * a transaction (so no `SET LOCAL statement_timeout`), and the Repo gives no dedicated connection
 * for a session setting; instead the statement carries a unique comment, and when the time is up
 * its backend is found in pg_stat_activity and cancelled (what Ecto's timeout amounts to). A
 * cancelled concurrent reindex leaves an invalid `_ccnew` index, which the next run drops.
 */
export async function queryWithTimeout(repo: Repo, query: string, timeoutMs: number): Promise<void> {
  const marker = `oban-ts reindexer ${randomUUID()}`
  const running = repo.query(`/* ${marker} */ ${query}`)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<'expired'>((resolve) => {
    timer = setSafeTimeout(() => resolve('expired'), timeoutMs)
  })
  try {
    if ((await Promise.race([running.then(() => 'done' as const), expired])) === 'done') return
  } finally {
    clearTimeout(timer)
  }
  await repo
    .query(
      `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND position($1 in query) > 0`,
      [marker],
    )
    .catch(() => undefined)
  // It may have finished between the deadline and the cancel.
  if (
    await running.then(
      () => true,
      () => false,
    )
  )
    return
  throw new Error(`timed out after ${timeoutMs}ms and was cancelled`)
}
