import type {Pool} from '../../../../src/db/pool.js'
import type {StateSummary} from './expected-history.js'

/*
 * A description of everything Oban's migrations put into a schema, read from the catalog, so that
 * tests compare whole states instead of spot checks. Names of the schema itself are stripped from
 * definitions (pg_get_indexdef always qualifies the table) so snapshots of different prefixes
 * compare equal.
 */

export interface ColumnSnapshot {
  name: string
  type: string
  notNull: boolean
  default: string | null
}

export interface TableSnapshot {
  /** `p` permanent, `u` unlogged. */
  persistence: string
  comment: string | null
  columns: ColumnSnapshot[]
}

export interface ConstraintSnapshot {
  table: string
  name: string
  definition: string
  validated: boolean
}

export interface SchemaSnapshot {
  enumLabels: string[]
  tables: Record<string, TableSnapshot>
  constraints: ConstraintSnapshot[]
  indexes: Record<string, string>
  sequences: Record<string, {type: string; ownedBy: string | null}>
  functions: string[]
  triggers: Record<string, string>
}

/** Reads the snapshot on one connection of `pool`, with the search path set to `prefix` (so type names print unqualified). */
export async function snapshotSchema(pool: Pool, prefix: string): Promise<SchemaSnapshot> {
  const db = await pool.connect()
  await db.query(`SELECT set_config('search_path', $1, false)`, [`"${prefix}"`])
  try {
    const strip = (text: string) => text.replaceAll(`${prefix}.`, '')
    const enumRows = await db.query<{label: string}>(
      `SELECT e.enumlabel AS label FROM pg_enum e
         JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1 AND t.typname = 'oban_job_state' ORDER BY e.enumsortorder`,
      [prefix],
    )
    const tableRows = await db.query<{table: string; persistence: string; comment: string | null}>(
      `SELECT c.relname AS table, c.relpersistence AS persistence, obj_description(c.oid, 'pg_class') AS comment
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
      [prefix],
    )
    const columnRows = await db.query<ColumnSnapshot & {table: string}>(
      `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS "notNull", pg_get_expr(d.adbin, d.adrelid) AS default
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
      [prefix],
    )
    const tables: Record<string, TableSnapshot> = {}
    for (const row of tableRows.rows)
      tables[row.table] = {persistence: row.persistence, comment: row.comment, columns: []}
    for (const {table, ...column} of columnRows.rows) tables[table]?.columns.push(column)

    // PostgreSQL 18 also lists NOT NULL as constraints (contype 'n'); columns already say notNull.
    const constraintRows = await db.query<ConstraintSnapshot>(
      `SELECT c.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS definition,
              con.convalidated AS validated
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND con.contype <> 'n' ORDER BY c.relname, con.conname`,
      [prefix],
    )
    const indexRows = await db.query<{name: string; definition: string}>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`,
      [prefix],
    )
    const sequenceRows = await db.query<{name: string; type: string; ownedBy: string | null}>(
      `SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS type,
              (SELECT t.relname || '.' || a.attname FROM pg_depend d
                 JOIN pg_class t ON t.oid = d.refobjid
                 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'a') AS "ownedBy"
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 ORDER BY c.relname`,
      [prefix],
    )
    const functionRows = await db.query<{signature: string}>(
      `SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 ORDER BY 1`,
      [prefix],
    )
    const triggerRows = await db.query<{name: string; definition: string}>(
      `SELECT t.tgname AS name, pg_get_triggerdef(t.oid) AS definition
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY t.tgname`,
      [prefix],
    )
    return {
      enumLabels: enumRows.rows.map((row) => row.label),
      tables,
      constraints: constraintRows.rows.map((row) => ({...row, definition: strip(row.definition)})),
      indexes: Object.fromEntries(indexRows.rows.map((row) => [row.name, strip(row.definition)])),
      sequences: Object.fromEntries(sequenceRows.rows.map(({name, ...rest}) => [name, rest])),
      functions: functionRows.rows.map((row) => row.signature),
      triggers: Object.fromEntries(triggerRows.rows.map((row) => [row.name, strip(row.definition)])),
    }
  } finally {
    await db.query('RESET search_path')
    db.release()
  }
}

/** Reduces a snapshot to the names that distinguish Oban's versions (see expected-history.ts). */
export function summarize(snapshot: SchemaSnapshot): StateSummary {
  const jobs = snapshot.tables.oban_jobs
  const column = (name: string) => jobs?.columns.find((c) => c.name === name)
  const trigger = snapshot.triggers.oban_notify
  return {
    tables: Object.keys(snapshot.tables).sort(),
    columns: jobs?.columns.map((c) => c.name) ?? [],
    indexes: Object.entries(snapshot.indexes)
      .filter(([name]) => name !== 'oban_peers_pkey')
      .map(([name, definition]) => (definition.includes(' WHERE ') ? `${name} (partial)` : name)),
    constraints: snapshot.constraints
      .filter((c) => c.table === 'oban_jobs')
      .map((c) => (c.validated ? c.name : `${c.name} (not valid)`)),
    functions: snapshot.functions,
    trigger: trigger === undefined ? null : trigger.includes('UPDATE') ? 'insert-or-update' : 'insert',
    argsDefault: column('args')?.default != null,
    priorityNotNull: column('priority')?.notNull ?? false,
  }
}
