import type {Pool, PoolClient, Queryable} from '../pool.js'
import {withTransaction} from '../transaction.js'
import {MigrationError, MigrationVersionError} from '../../errors.js'
import {quoteIdent, validatePrefix} from '../identifier.js'
import {schemaDifferences} from './schema-check.js'
import {stepContext, type StepContext} from './step.js'
import {step} from './steps.js'
import {CURRENT_VERSION, INITIAL_VERSION, listObanSchemas, readVersion, recordVersion} from './version.js'

/*
 * Runs Oban's versioned migrations the way `Oban.Migrations.Postgres` does, so a schema migrated
 * here and one migrated by an Elixir node are interchangeable at every version: same steps, same
 * version comment on `oban_jobs`, same defaults (`prefix` "public", `create_schema` when the
 * prefix is not "public", `unlogged` true).
 *
 * Each call is one transaction holding a transaction-scoped advisory lock per prefix, taken before
 * the version is read: two processes migrating the same schema at once run one after the other,
 * and the second finds the work done. A failing step rolls the whole call back.
 */

/** Options of {@link migrateUp}, named after Oban's `up/1` options. */
export interface MigrateUpOptions {
  /** Schema holding the tables (default `public`). */
  prefix?: string
  /** Version to migrate to, 1..14 (default 14). A schema already at or above it is left alone. */
  version?: number
  /** Create the schema if missing (default: true unless the prefix is `public`). */
  createSchema?: boolean
  /** Make `oban_peers` UNLOGGED (default true; false for databases without UNLOGGED tables). */
  unlogged?: boolean
}

/** Options of {@link migrateDown}. */
export interface MigrateDownOptions {
  /** Schema holding the tables (default `public`). */
  prefix?: string
  /** Version to leave the schema at, 0..13 and below the current one; 0 drops Oban's tables and type. */
  version: number
  /**
   * Asked once the rollback is known to be possible, before any step runs, inside the locked
   * transaction (so the plan it is shown is what runs); false rolls back and changes nothing.
   */
  confirm?: (plan: DownPlan) => Promise<boolean>
}

/** What {@link migrateDown} is about to do, for a confirmation. */
export interface DownPlan {
  prefix: string
  from: number
  to: number
  /** Tables the steps drop, with their data: `oban_jobs` at 0, `oban_peers` below 11. */
  drops: string[]
  /** Jobs in `oban_jobs` when it is dropped, otherwise undefined (the jobs stay). */
  jobs: number | undefined
}

/** What a migration call did. `applied` lists the steps run, in the order they ran. */
export interface MigrationResult {
  prefix: string
  /** Version before the call (`Infinity` for an externally managed schema). */
  from: number
  /** Version after the call. */
  to: number
  applied: number[]
  /** True when {@link MigrateDownOptions.confirm} said no: nothing changed. */
  declined?: boolean
}

/** One schema's migration state. */
export interface MigrationStatus {
  prefix: string
  /** 0 when not installed; `Infinity` when managed externally. */
  version: number
  latest: typeof CURRENT_VERSION
  upToDate: boolean
  /**
   * Present when the version is current but the tables differ from what Oban's migrations create
   * (see schemaDifferences): oban-ts cannot write to them, so `upToDate` is false.
   */
  problems?: string[]
}

/**
 * The advisory lock class of migrations: the bytes of "oban" as an int4. Locks of the two-key
 * form never collide with Oban's single bigint keys (PostgreSQL keeps the two key spaces apart).
 */
const MIGRATION_LOCK_CLASS = 0x6f62616e

/** Checks a target version for {@link migrateUp}: an integer from 1 to 14. */
export function checkUpVersion(version: number): number {
  if (!Number.isInteger(version) || version < INITIAL_VERSION || version > CURRENT_VERSION) {
    throw new MigrationVersionError(
      `cannot migrate up to version ${version}: choose a version from ${INITIAL_VERSION} to ${CURRENT_VERSION}`,
    )
  }
  return version
}

/** Checks a target version for {@link migrateDown}: an integer from 0 to 13 (whether it is below the current one is checked in the run). */
export function checkDownVersion(version: number): number {
  if (!Number.isInteger(version) || version < 0 || version >= CURRENT_VERSION) {
    throw new MigrationVersionError(
      `cannot migrate down to version ${version}: choose a version from 0 to ${CURRENT_VERSION - 1} (0 removes the Oban tables)`,
    )
  }
  return version
}

/**
 * Migrates a schema up to `version` (default 14), running the steps after the recorded version in
 * order and then recording `version`, like Oban's `up(version: n)`. A schema at 0 (or without a
 * version comment) runs every step from V01; one at or above the target, or externally managed,
 * is left untouched and reported with `applied: []`.
 */
export async function migrateUp(pool: Pool, options: MigrateUpOptions = {}): Promise<MigrationResult> {
  const ctx = stepContext({...options, prefix: options.prefix ?? 'public'})
  const target = checkUpVersion(options.version ?? CURRENT_VERSION)
  return inLockedTransaction(pool, ctx.prefix, async (client) => {
    const from = await readVersion(client, ctx.prefix)
    if (from >= target) return {prefix: ctx.prefix, from, to: from, applied: []}
    const applied: number[] = []
    for (let version = Math.max(from + 1, INITIAL_VERSION); version <= target; version++) {
      await step(version).up(client, ctx)
      applied.push(version)
    }
    await recordVersion(client, ctx, target)
    return {prefix: ctx.prefix, from, to: target, applied}
  })
}

/**
 * Migrates a schema down so that it is left AT `version`: runs the down steps from the current
 * version to `version + 1`, newest first, then records `version` (at 0 V01's down has dropped the
 * table, the type and the trigger function; the schema itself stays).
 *
 * Oban's `down(version: n)` names the oldest migration to undo instead, leaving the schema at
 * n - 1; so `migrateDown({version: n})` is Oban's `down(version: n + 1)`.
 *
 * Throws {@link MigrationVersionError} when `version` is not below the current version, and
 * {@link MigrationError} for a schema managed externally or by a newer migrator (Oban would fail
 * on those too, looking for steps it does not have).
 */
export async function migrateDown(pool: Pool, options: MigrateDownOptions): Promise<MigrationResult> {
  const ctx = stepContext({prefix: options.prefix ?? 'public'})
  const target = checkDownVersion(options.version)
  return inLockedTransaction(pool, ctx.prefix, async (client) => {
    const from = await readVersion(client, ctx.prefix)
    checkRollback(ctx, from, target)
    if (options.confirm && !(await options.confirm(await planDown(client, ctx.prefix, from, target))))
      return {prefix: ctx.prefix, from, to: from, applied: [], declined: true}
    const applied: number[] = []
    for (let version = from; version > target; version--) {
      await step(version).down(client, ctx)
      applied.push(version)
    }
    await recordVersion(client, ctx, target)
    return {prefix: ctx.prefix, from, to: target, applied}
  })
}

/** The tables a rollback from `from` to `to` drops (V01's down drops oban_jobs, V11's oban_peers). */
async function planDown(db: Queryable, prefix: string, from: number, to: number): Promise<DownPlan> {
  const drops: string[] = []
  if (to === 0) drops.push('oban_jobs')
  if (to < 11 && from >= 11) drops.push('oban_peers')
  let jobs: number | undefined
  if (to === 0) {
    const {rows} = await db.query<{n: number}>(`SELECT count(*)::int AS n FROM ${quoteIdent(prefix)}.oban_jobs`)
    jobs = rows[0]?.n ?? 0
  }
  return {prefix, from, to, drops, jobs}
}

function checkRollback(ctx: StepContext, from: number, target: number): void {
  if (from === Infinity) {
    throw new MigrationError(
      `schema "${ctx.prefix}" is managed by an external migrator (version comment '∞'): roll it back with that tool`,
    )
  }
  if (from > CURRENT_VERSION) {
    throw new MigrationError(
      `schema "${ctx.prefix}" is at version ${from}, newer than this oban-ts knows (${CURRENT_VERSION}): roll it back with the Oban release that migrated it`,
    )
  }
  if (from === 0) {
    throw new MigrationVersionError(`schema "${ctx.prefix}" has no Oban tables (version 0): nothing to roll back`)
  }
  if (target >= from) {
    throw new MigrationVersionError(
      `schema "${ctx.prefix}" is at version ${from}: roll back to a version below it (0 to ${from - 1})`,
    )
  }
}

/**
 * The migration state of one schema, or, without a prefix, of every schema that has an
 * `oban_jobs` table (sorted by name), or just `public` at version 0 when there is none.
 */
export async function migrationStatus(db: Queryable, options: {prefix?: string} = {}): Promise<MigrationStatus[]> {
  const prefixes = options.prefix === undefined ? await listObanSchemas(db) : [validatePrefix(options.prefix)]
  if (prefixes.length === 0) prefixes.push('public')
  const statuses: MigrationStatus[] = []
  for (const prefix of prefixes) {
    const version = await readVersion(db, prefix)
    const problems = version >= CURRENT_VERSION ? await schemaDifferences(db, prefix) : []
    statuses.push({
      prefix,
      version,
      latest: CURRENT_VERSION,
      upToDate: version >= CURRENT_VERSION && problems.length === 0,
      ...(problems.length > 0 ? {problems} : {}),
    })
  }
  return statuses
}

/**
 * Runs `work` in a transaction that first takes the prefix's migration lock, released by COMMIT
 * or ROLLBACK.
 */
async function inLockedTransaction<T>(
  pool: Pool,
  prefix: string,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, prefix])
    return work(client)
  })
}
