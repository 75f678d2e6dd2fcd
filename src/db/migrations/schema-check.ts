import type {Queryable} from '../pool.js'

/*
 * The columns oban-ts reads and writes, with the types Oban's migrations (v14) give them. The
 * version comment says which migrations ran, not that these tables came from them: another
 * installer (Python Oban's creates `errors` as jsonb and `attempt` as smallint, and no
 * `oban_peers`) can leave a schema at "version 14" whose acks fail on every error. Checking the
 * columns themselves catches that before a node starts, instead of jobs stuck `executing`.
 */
const EXPECTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  oban_jobs: {
    id: 'bigint',
    state: 'oban_job_state',
    queue: 'text',
    worker: 'text',
    args: 'jsonb',
    errors: 'jsonb[]',
    attempt: 'integer',
    max_attempts: 'integer',
    inserted_at: 'timestamp without time zone',
    scheduled_at: 'timestamp without time zone',
    attempted_at: 'timestamp without time zone',
    completed_at: 'timestamp without time zone',
    attempted_by: 'text[]',
    discarded_at: 'timestamp without time zone',
    priority: 'integer',
    tags: 'text[]',
    meta: 'jsonb',
    cancelled_at: 'timestamp without time zone',
  },
  oban_peers: {
    name: 'text',
    node: 'text',
    started_at: 'timestamp without time zone',
    expires_at: 'timestamp without time zone',
  },
}

/**
 * What differs between the schema's Oban tables and what Oban's migrations create, one line each
 * (`oban_jobs.errors is jsonb, expected jsonb[]`); empty when they match. Extra columns and
 * indexes are allowed (other tools may add them); only what oban-ts uses is compared.
 */
export async function schemaDifferences(db: Queryable, prefix: string): Promise<string[]> {
  const {rows} = await db.query<{table: string; column: string; type: string}>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`,
    [prefix, Object.keys(EXPECTED)],
  )
  const found = new Map<string, Map<string, string>>()
  for (const row of rows) {
    const columns = found.get(row.table) ?? new Map<string, string>()
    // format_type qualifies a type outside the search path (`"jobs".oban_job_state`): the
    // schema is the prefix itself, so only the type's own name is compared.
    columns.set(row.column, row.type.replace(/^("[^"]+"|[^".[\]]+)\./, ''))
    found.set(row.table, columns)
  }
  const problems: string[] = []
  for (const [table, expected] of Object.entries(EXPECTED)) {
    const columns = found.get(table)
    if (!columns) {
      problems.push(`table ${table} is missing`)
      continue
    }
    for (const [column, type] of Object.entries(expected)) {
      const actual = columns.get(column)
      if (actual === undefined) problems.push(`${table}.${column} is missing (expected ${type})`)
      else if (actual !== type) problems.push(`${table}.${column} is ${actual}, expected ${type}`)
    }
  }
  return problems
}
