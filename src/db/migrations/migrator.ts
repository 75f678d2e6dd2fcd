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

/**
 * Options of {@link migrateDown}: exactly one of `version` (Oban's meaning) and `to`.
 *
 * - `version: N`, as Oban's `down(version: N)`: undoes the migrations down to AND INCLUDING N,
 *   leaving the schema at N - 1 (1..14); `version: 1` removes Oban's tables and type.
 * - `to: N`: leaves the schema AT version N (0..13), undoing the migrations above it; `to: 0`
 *   removes Oban's tables and type. `{to: N}` is `{version: N + 1}`.
 */
export interface MigrateDownOptions {
  /** Schema holding the tables (default `public`). */
  prefix?: string
  /** Oban's `down(version: N)`: the oldest migration to undo (1..14); the schema is left at N - 1. */
  version?: number
  /** The version to leave the schema at (0..13); 0 drops Oban's tables and type. */
  to?: number
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

/**
 * The version {@link migrateDown} leaves the schema at, from exactly one of `version` (Oban's
 * `down(version: N)`, 1..14: leaves N - 1) and `to` (0..13: leaves `to`). Whether it is below
 * the current version is checked in the run. Throws {@link MigrationVersionError}.
 */
export function downTarget(options: {version?: number; to?: number}): number {
  const {version, to} = options
  if (version !== undefined && to !== undefined)
    throw new MigrationVersionError(
      `give either version ${version} (Oban's down(version: N): undo N and above, leaving N - 1) or to ${to} (leave the schema at N), not both`,
    )
  if (version !== undefined) {
    if (!Number.isInteger(version) || version < INITIAL_VERSION || version > CURRENT_VERSION)
      throw new MigrationVersionError(
        `cannot undo migrations down to version ${version}: choose a version from ${INITIAL_VERSION} to ${CURRENT_VERSION} (Oban's down(version: N) undoes N and above, leaving N - 1; 1 removes the Oban tables)`,
      )
    return version - 1
  }
  if (to !== undefined) {
    if (!Number.isInteger(to) || to < 0 || to >= CURRENT_VERSION)
      throw new MigrationVersionError(
        `cannot migrate down to version ${to}: choose a version from 0 to ${CURRENT_VERSION - 1} to leave the schema at (0 removes the Oban tables)`,
      )
    return to
  }
  throw new MigrationVersionError(
    "say how far to roll back: to N leaves the schema at version N (0 removes the Oban tables); version N is Oban's down(version: N), which undoes N and above and leaves N - 1",
  )
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
 * Migrates a schema down. `{version: N}` is Oban's `down(version: N)`: it undoes the migrations
 * from the current version down to and including N, leaving N - 1. `{to: N}` leaves the schema AT
 * N. Either way the down steps run newest first in one transaction, then the version left is
 * recorded (at 0 V01's down has dropped the table, the type and the trigger function; the schema
 * itself stays).
 *
 * Throws {@link MigrationVersionError} when there is nothing to undo (the schema is already at or
 * below the version it would be left at), and
 * {@link MigrationError} for a schema managed externally or by a newer migrator (Oban would fail
 * on those too, looking for steps it does not have).
 */
export async function migrateDown(pool: Pool, options: MigrateDownOptions): Promise<MigrationResult> {
  const ctx = stepContext({prefix: options.prefix ?? 'public'})
  const target = downTarget(options)
  return inLockedTransaction(pool, ctx.prefix, async (client) => {
    const from = await readVersion(client, ctx.prefix)
    checkRollback(ctx, from, target, options.version !== undefined)
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

function checkRollback(ctx: StepContext, from: number, target: number, obanForm: boolean): void {
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
      obanForm
        ? `schema "${ctx.prefix}" is at version ${from}: version ${target + 1} undoes nothing; choose a version from 1 to ${from} (the schema is left at one below it)`
        : `schema "${ctx.prefix}" is at version ${from}: roll back to a version below it (0 to ${from - 1})`,
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
