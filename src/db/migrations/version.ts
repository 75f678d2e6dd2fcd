import type {Queryable} from '../pool.js'
import {MigrationError} from '../../errors.js'
import {validatePrefix} from '../identifier.js'
import {jobsTable} from './ddl.js'
import type {StepContext} from './step.js'

/** The schema version this code migrates to (Oban 2.21 and later, including 2.23.1). */
export const CURRENT_VERSION = 14

/** The first migration. */
export const INITIAL_VERSION = 1

/**
 * The comment Oban (2.23+) reads as "version managed externally" (`:infinity`), written by
 * migrators such as Pro's DynamicPartitioner. {@link migratedVersion} returns `Infinity` for it:
 * above every version, so the schema counts as up to date and `up` leaves it alone.
 */
export const EXTERNALLY_MANAGED_COMMENT = '∞'

/**
 * The version a schema is migrated to, read the way Oban reads it: the comment on the
 * `oban_jobs` table in that schema (`pg_catalog.obj_description`).
 *
 * - no `oban_jobs` table, or a table without comment: 0 (so an install restored from a dump
 *   without comments is migrated again from the start, as Oban does);
 * - `'∞'`: `Infinity` (externally managed, see {@link EXTERNALLY_MANAGED_COMMENT});
 * - digits: that number;
 * - anything else: {@link MigrationError}. Oban 2.23 fails too (`String.to_integer` raises); we
 *   say which comment is in the way instead of guessing a version.
 */
export async function migratedVersion(db: Queryable, prefix: string): Promise<number> {
  return readVersion(db, validatePrefix(prefix))
}

/**
 * {@link migratedVersion} without the identifier check, for schema names that come from the
 * catalog (they are only ever bound as parameters here).
 */
export async function readVersion(db: Queryable, prefix: string): Promise<number> {
  const {rows} = await db.query<{comment: string | null}>(
    `SELECT pg_catalog.obj_description(cls.oid, 'pg_class') AS comment
       FROM pg_catalog.pg_class cls
       JOIN pg_catalog.pg_namespace nsp ON nsp.oid = cls.relnamespace
      WHERE cls.relname = 'oban_jobs' AND nsp.nspname = $1`,
    [prefix],
  )
  return parseVersionComment(prefix, rows[0]?.comment ?? null)
}

/** Interprets the comment of `oban_jobs` (see {@link migratedVersion}). */
export function parseVersionComment(prefix: string, comment: string | null): number {
  if (comment === null) return 0
  if (comment === EXTERNALLY_MANAGED_COMMENT) return Infinity
  if (/^[0-9]+$/.test(comment)) return Number.parseInt(comment, 10)
  throw new MigrationError(
    `the comment on ${prefix}.oban_jobs is ${JSON.stringify(comment)}, which is not an Oban migration version: ` +
      `set it to the version the table is at (COMMENT ON TABLE "${prefix}".oban_jobs IS '14')`,
  )
}

/**
 * Records the version as Oban does: `COMMENT ON TABLE "prefix".oban_jobs IS '<n>'`. COMMENT takes
 * no bind parameters, so the version is checked to be a plain integer before it is interpolated.
 * Version 0 is not recorded: at 0 the table no longer exists.
 */
export async function recordVersion(db: Queryable, ctx: StepContext, version: number): Promise<void> {
  if (!Number.isSafeInteger(version) || version < 0) throw new RangeError(`not a schema version: ${version}`)
  if (version === 0) return
  await db.query(`COMMENT ON TABLE ${jobsTable(ctx)} IS '${version}'`)
}

/** Every schema that holds an `oban_jobs` table (plain or partitioned), sorted by name. */
export async function listObanSchemas(db: Queryable): Promise<string[]> {
  const {rows} = await db.query<{prefix: string}>(
    `SELECT nsp.nspname AS prefix
       FROM pg_catalog.pg_class cls
       JOIN pg_catalog.pg_namespace nsp ON nsp.oid = cls.relnamespace
      WHERE cls.relname = 'oban_jobs' AND cls.relkind IN ('r', 'p')
      ORDER BY nsp.nspname`,
  )
  return rows.map((row) => row.prefix)
}
