import type {Queryable} from '../pool.js'
import {quoteIdent} from '../identifier.js'
import type {StepContext} from './step.js'

/*
 * The building blocks of the migration steps: one function per DDL statement, each idempotent.
 *
 * DDL cannot take bind parameters, so the only runtime value interpolated into these statements is
 * the schema, which the context validated as an identifier and quoted. Everything else (column
 * definitions, check expressions, index names) is a constant written in a step file. Catalog
 * lookups, which do involve values, are parameterised.
 */

/** `"prefix".oban_jobs` */
export function jobsTable(ctx: StepContext): string {
  return `${ctx.schema}.oban_jobs`
}

/** `"prefix".oban_peers` */
export function peersTable(ctx: StepContext): string {
  return `${ctx.schema}.oban_peers`
}

/** `"prefix".oban_job_state`, the enum of job states. */
export function stateType(ctx: StepContext): string {
  return `${ctx.schema}.oban_job_state`
}

/** Quotes a string as an SQL literal (for the few literals inside DDL, such as a function body). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** `CREATE INDEX IF NOT EXISTS name ON oban_jobs <definition>`; `definition` is `(columns)`, `USING …` or `… WHERE …`. */
export async function createIndex(db: Queryable, ctx: StepContext, name: string, definition: string): Promise<void> {
  await db.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${jobsTable(ctx)} ${definition}`)
}

/** `DROP INDEX IF EXISTS "prefix".name` */
export async function dropIndex(db: Queryable, ctx: StepContext, name: string): Promise<void> {
  await db.query(`DROP INDEX IF EXISTS ${ctx.schema}.${quoteIdent(name)}`)
}

/** `ALTER TABLE oban_jobs ADD COLUMN IF NOT EXISTS name <definition>` */
export async function addColumn(db: Queryable, ctx: StepContext, name: string, definition: string): Promise<void> {
  await db.query(`ALTER TABLE ${jobsTable(ctx)} ADD COLUMN IF NOT EXISTS ${quoteIdent(name)} ${definition}`)
}

/** `ALTER TABLE oban_jobs DROP COLUMN IF EXISTS name` (indexes on the column go with it). */
export async function dropColumn(db: Queryable, ctx: StepContext, name: string): Promise<void> {
  await db.query(`ALTER TABLE ${jobsTable(ctx)} DROP COLUMN IF EXISTS ${quoteIdent(name)}`)
}

/**
 * `ALTER TABLE oban_jobs ALTER COLUMN name <action>`, e.g. `SET DEFAULT 0` or `SET NOT NULL`.
 * Each action is idempotent in PostgreSQL by nature.
 */
export async function alterColumn(db: Queryable, ctx: StepContext, name: string, action: string): Promise<void> {
  await db.query(`ALTER TABLE ${jobsTable(ctx)} ALTER COLUMN ${quoteIdent(name)} ${action}`)
}

/** Whether `oban_jobs` in the context's schema has a constraint with this name. */
export async function constraintExists(db: Queryable, ctx: StepContext, name: string): Promise<boolean> {
  const {rows} = await db.query(
    `SELECT 1
       FROM pg_catalog.pg_constraint con
       JOIN pg_catalog.pg_class rel ON rel.oid = con.conrelid
       JOIN pg_catalog.pg_namespace nsp ON nsp.oid = rel.relnamespace
      WHERE nsp.nspname = $1 AND rel.relname = 'oban_jobs' AND con.conname = $2`,
    [ctx.prefix, name],
  )
  return rows.length > 0
}

/**
 * Adds `CONSTRAINT name CHECK (check)` to `oban_jobs` unless a constraint of that name exists.
 * PostgreSQL has no `ADD CONSTRAINT IF NOT EXISTS`; checking first (rather than dropping and
 * re-adding) keeps a constraint that someone validated later as it is. `validate: false` adds it
 * `NOT VALID`, as Oban does for constraints that existing rows might violate.
 */
export async function addCheck(
  db: Queryable,
  ctx: StepContext,
  name: string,
  check: string,
  options: {validate?: boolean} = {},
): Promise<void> {
  if (await constraintExists(db, ctx, name)) return
  const notValid = options.validate === false ? ' NOT VALID' : ''
  await db.query(`ALTER TABLE ${jobsTable(ctx)} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${check})${notValid}`)
}

/** `ALTER TABLE oban_jobs DROP CONSTRAINT IF EXISTS name` */
export async function dropConstraint(db: Queryable, ctx: StepContext, name: string): Promise<void> {
  await db.query(`ALTER TABLE ${jobsTable(ctx)} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`)
}

/** Whether the context's schema has a type with this name. */
export async function typeExists(db: Queryable, ctx: StepContext, name: string): Promise<boolean> {
  const {rows} = await db.query(
    `SELECT 1
       FROM pg_catalog.pg_type typ
       JOIN pg_catalog.pg_namespace nsp ON nsp.oid = typ.typnamespace
      WHERE nsp.nspname = $1 AND typ.typname = $2`,
    [ctx.prefix, name],
  )
  return rows.length > 0
}

/** Whether the context's schema exists. */
export async function schemaExists(db: Queryable, ctx: StepContext): Promise<boolean> {
  const {rows} = await db.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [ctx.prefix])
  return rows.length > 0
}
