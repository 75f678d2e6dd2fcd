import type {Queryable} from '../pool.js'
import {quoteIdent, validatePrefix} from '../identifier.js'

/**
 * What a migration step needs to know about the run it belongs to. Built once per run by the
 * migrator from Oban's options (`prefix`, `create_schema`, `unlogged`).
 */
export interface StepContext {
  /** The schema that holds Oban's tables, already validated as an identifier. */
  readonly prefix: string
  /** The same schema name quoted for SQL, e.g. `"public"`. */
  readonly schema: string
  /** Run `CREATE SCHEMA IF NOT EXISTS` in V01 (Oban's `create_schema`). */
  readonly createSchema: boolean
  /** Make `oban_peers` UNLOGGED in V11 (Oban's `unlogged`). */
  readonly unlogged: boolean
}

/**
 * One of Oban's versioned migrations (`Oban.Migrations.Postgres.Vnn`). `up` and `down` run
 * inside the migrator's transaction and must be idempotent: running either twice leaves the same
 * catalog state as running it once, because Oban re-runs every step when the version comment is
 * missing (a dump restored without comments).
 */
export interface MigrationStep {
  readonly version: number
  up(db: Queryable, ctx: StepContext): Promise<void>
  down(db: Queryable, ctx: StepContext): Promise<void>
}

/** Builds the context of a run; throws InvalidPrefixError for a prefix that is not an identifier. */
export function stepContext(options: {prefix: string; createSchema?: boolean; unlogged?: boolean}): StepContext {
  const prefix = validatePrefix(options.prefix)
  return {
    prefix,
    schema: quoteIdent(prefix),
    createSchema: options.createSchema ?? prefix !== 'public',
    unlogged: options.unlogged ?? true,
  }
}
