import type {Queryable} from '../db/pool.js'
import {utcParam} from '../db/types.js'
import type {Job} from '../job.js'
import {newJob, type JobInsert} from '../job-spec.js'
import {qualified} from './tables.js'

/*
 * Bulk insert: N jobs in ONE statement, `INSERT ... SELECT FROM unnest(typed arrays)`, one array
 * parameter per column, so the statement text and its plan do not depend on N.
 *
 * Measured for 20k jobs on this 2-core box (medians of 9 to 15 interleaved runs, end to end
 * from node): unnest of typed arrays, unnest of text[] cast per row, jsonb_to_recordset,
 * json_to_recordset and json(b)_array_elements of one JSON parameter are all within the noise of
 * each other (±10%), while turning a per-row JSON array into text[] with
 * ARRAY(SELECT jsonb_array_elements_text(..)) is ~2x slower (a subplan per row). Tags therefore
 * travel as one array literal per row (`{"a","b"}`) in a text[] and are cast with `::text[]`.
 * Most of the time is the table's, not the statement's: Oban's five indexes (two GIN) make a
 * row of oban_jobs about twice as costly to insert as a row of a table with one index.
 *
 * Columns whose value is the table default in every row of the batch (state, meta, tags,
 * max_attempts, priority, scheduled_at) are left out of the statement, as Oban's insert_all
 * leaves out nil fields: the usual batch then sends three arrays instead of nine, about 20%
 * faster. Each combination of columns is its own named prepared statement.
 *
 * The statement returns only `id` and `inserted_at`: every other column is known from the input
 * or is a default (no trigger of Oban's schema rewrites rows), and `scheduled_at` defaults to
 * the same transaction-stable now() as `inserted_at`, so parsing every column of every row back
 * would only add work. Rows come back in input order: INSERT ... SELECT processes and returns rows
 * in the order of the unnest.
 */

interface OptionalColumn {
  column: string
  /** Whether some row of the batch needs a value other than the table default. */
  needed(job: JobInsert): boolean
  param(jobs: JobInsert[]): unknown[]
  /** The parameter's array type (the prefix is needed for the enum). */
  type(prefix: string): string
  /** The value selected from the unnest alias `u`. */
  select: string
}

const OPTIONAL: OptionalColumn[] = [
  {
    column: 'state',
    needed: (job) => job.state !== 'available',
    param: (jobs) => jobs.map((job) => job.state),
    type: (prefix) => `${qualified(prefix, 'oban_job_state')}[]`,
    select: 'u.state',
  },
  {
    column: 'meta',
    needed: (job) => job.metaJson !== '{}',
    param: (jobs) => jobs.map((job) => job.metaJson),
    type: () => 'jsonb[]',
    select: 'u.meta',
  },
  {
    column: 'tags',
    needed: (job) => job.tags.length > 0,
    param: (jobs) => jobs.map((job) => textArrayLiteral(job.tags)),
    type: () => 'text[]',
    select: 'u.tags::text[]',
  },
  {
    column: 'max_attempts',
    needed: (job) => job.maxAttempts !== 20,
    param: (jobs) => jobs.map((job) => job.maxAttempts),
    type: () => 'int[]',
    select: 'u.max_attempts',
  },
  {
    column: 'priority',
    needed: (job) => job.priority !== 0,
    param: (jobs) => jobs.map((job) => job.priority),
    type: () => 'int[]',
    select: 'u.priority',
  },
  {
    column: 'scheduled_at',
    needed: (job) => job.scheduledAt !== null,
    param: (jobs) => jobs.map((job) => (job.scheduledAt ? utcParam(job.scheduledAt) : null)),
    type: () => 'timestamp[]',
    select: `COALESCE(u.scheduled_at, timezone('UTC', now()))`,
  },
]

/** Inserts validated jobs in one statement and returns them in input order. Uniqueness is not checked (as Oban's insert_all). */
export async function insertAllJobs(db: Queryable, prefix: string, jobs: JobInsert[]): Promise<Job[]> {
  if (jobs.length === 0) return []
  const used = OPTIONAL.filter((column) => jobs.some((job) => column.needed(job)))
  const mask = OPTIONAL.map((column) => (used.includes(column) ? '1' : '0')).join('')
  const columns = ['queue', 'worker', 'args', ...used.map((c) => c.column)]
  const types = ['text[]', 'text[]', 'jsonb[]', ...used.map((c) => c.type(prefix))]
  const values: unknown[] = [
    jobs.map((job) => job.queue),
    jobs.map((job) => job.worker),
    jobs.map((job) => job.argsJson),
    ...used.map((c) => c.param(jobs)),
  ]
  const {rows} = await db.query<{id: string; inserted_at: Date}>({
    name: `oban_insert_all_jobs:${prefix}:${mask}`,
    text: `INSERT INTO ${qualified(prefix, 'oban_jobs')} (${columns.join(', ')})
           SELECT u.queue, u.worker, u.args${used.map((c) => `, ${c.select}`).join('')}
             FROM unnest(${types.map((type, i) => `$${i + 1}::${type}`).join(', ')}) AS u(${columns.join(', ')})
           RETURNING id, inserted_at`,
    values,
  })
  if (rows.length !== jobs.length) throw new Error(`insert of ${jobs.length} jobs returned ${rows.length} rows`)
  return rows.map((row, i) => newJob(jobs[i]!, Number(row.id), row.inserted_at))
}

/** A PostgreSQL array literal of strings, every element quoted: `{"a","b \"c\""}`. */
function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`
}
