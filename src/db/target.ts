import {ConfigError} from '../errors.js'
import {validatePrefix} from './identifier.js'
import {createPool, type Pool} from './pool.js'

/**
 * Which database and schema a job operation called from code works on, for code that is not a
 * node (a script, a web handler, an admin task): a pool you own (left open), or a URL, for which
 * a small pool is opened for the one call and closed after it. `prefix` is the schema holding
 * Oban's tables (default `public`).
 */
export type DatabaseTarget = {prefix?: string} & (
  {pool: Pool; databaseUrl?: never} | {databaseUrl: string; pool?: never}
)

/** Runs `work` on the target's pool and validated prefix; a pool opened from a URL is closed after. */
export async function withDatabase<T>(
  target: DatabaseTarget,
  work: (pool: Pool, prefix: string) => Promise<T>,
): Promise<T> {
  const prefix = validatePrefix(target.prefix ?? 'public')
  if (target.pool !== undefined && target.databaseUrl !== undefined)
    throw new ConfigError('give either a pool or a databaseUrl, not both')
  if (target.pool !== undefined) return work(target.pool, prefix)
  if (typeof target.databaseUrl !== 'string')
    throw new ConfigError('give a pool or a databaseUrl (postgres://USER@HOST/DB) to say which database to use')
  const pool = createPool(target.databaseUrl, {max: 2, applicationName: 'oban-ts', allowExitOnIdle: true})
  try {
    return await work(pool, prefix)
  } finally {
    await pool.end()
  }
}
