import type {Queryable} from '../db/pool.js'
import {utcParam} from '../db/types.js'
import type {Job} from '../job/job.js'
import {newJob, type JobInsert} from '../job/spec.js'
import {fullChannel, insertPayload, qualified} from '../db/names.js'
import {scheduledAtSql} from './scheduled-at.js'
import {statementTexts} from './statement-texts.js'

const texts = statementTexts<string>()

/*
 * Bulk insert: N jobs in ONE statement (a large batch is one per chunk, src/client/insert-all.ts),
 * `INSERT ... SELECT FROM ROWS FROM (...)`, one parameter
 * per column, so the statement text and its plan do not depend on N. ROWS FROM zips the column
 * functions positionally: `unnest` of a typed array for plain columns, `jsonb_array_elements`
 * of one JSON array for args and meta. The JSON array is the jobs' already serialised JSON
 * joined with commas: a jsonb[] parameter made node-postgres escape every quote of every
 * element and the server parse an array literal of JSON strings, ~30% of the statement's time
 * for 20k jobs (bench/README.md). Tags travel as one array literal per row (`{"a","b"}`) in a
 * text[] and are cast with `::text[]` (turning a per-row JSON array into text[] with a subplan
 * per row was ~2x slower).
 * Most of the time is the table's, not the statement's: Oban's five indexes (two GIN) make a
 * row of oban_jobs about twice as costly to insert as a row of a table with one index.
 *
 * Columns whose value is the table default in every row of the batch (state, meta, tags,
 * max_attempts, priority, scheduled_at) are left out of the statement, as Oban's insert_all
 * leaves out nil fields. Each combination of columns is its own named prepared statement.
 *
 * The statement returns one row: the first id and the count when the batch's ids are consecutive
 * (nobody else took a value from the sequence meanwhile: the usual case, and then id i is first + i,
 * since INSERT ... SELECT assigns ids from the sequence in the order of its input), otherwise all
 * ids as one comma-separated text in input order (`ORDER BY id` in the aggregate keeps that order
 * whatever the CTE scan does; 20k ids as text were ~7% of the statement); and the `inserted_at` every row got (the
 * transaction-stable now() of the column default). Every other column is known from the input
 * or is a default (no trigger of Oban's schema rewrites rows); `scheduled_at` defaults to that
 * same now(). One row instead of N spares parsing N rows.
 */

interface OptionalColumn {
  column: string
  /** Whether some row of the batch needs a value other than the table default. */
  needed(job: JobInsert): boolean
  param(jobs: JobInsert[]): unknown
  /** The function of ROWS FROM that yields the column's values from parameter `$n`. */
  source(param: string, prefix: string): string
  /** The value selected from the ROWS FROM alias `u`. */
  select: string
}

const unnest = (type: string) => (param: string) => `unnest(${param}::${type})`
const jsonElements = (param: string) => `jsonb_array_elements(${param}::jsonb)`
/** One JSON array text from already serialised JSON values. */
const jsonArray = (values: string[]) => `[${values.join(',')}]`

const OPTIONAL: OptionalColumn[] = [
  {
    column: 'state',
    needed: (job) => job.state !== 'available',
    param: (jobs) => jobs.map((job) => job.state),
    source: (param, prefix) => `unnest(${param}::${qualified(prefix, 'oban_job_state')}[])`,
    select: 'u.state',
  },
  {
    column: 'meta',
    needed: (job) => job.metaJson !== '{}',
    param: (jobs) => jsonArray(jobs.map((job) => job.metaJson)),
    source: jsonElements,
    select: 'u.meta',
  },
  {
    column: 'tags',
    needed: (job) => job.tags.length > 0,
    param: (jobs) => jobs.map((job) => textArrayLiteral(job.tags)),
    source: unnest('text[]'),
    select: 'u.tags::text[]',
  },
  {
    column: 'max_attempts',
    needed: (job) => job.maxAttempts !== 20,
    param: (jobs) => jobs.map((job) => job.maxAttempts),
    source: unnest('int[]'),
    select: 'u.max_attempts',
  },
  {
    column: 'priority',
    needed: (job) => job.priority !== 0,
    param: (jobs) => jobs.map((job) => job.priority),
    source: unnest('int[]'),
    select: 'u.priority',
  },
  {
    // One text per row: a timestamp, `@<seconds>` for a scheduleIn (now plus the seconds, in SQL,
    // with microseconds as Oban's schedule_in), or null for now. The CASE reads a column, never
    // a constant the planner could fold, so `@...` is never cast to a timestamp.
    column: 'scheduled_at',
    needed: (job) => job.scheduledAt !== null,
    param: (jobs) =>
      jobs.map((job) =>
        job.scheduleIn !== undefined ? `@${job.scheduleIn}` : job.scheduledAt ? utcParam(job.scheduledAt) : null,
      ),
    source: unnest('text[]'),
    select: `CASE WHEN u.scheduled_at LIKE '@%'
                  THEN ${scheduledAtSql('NULL', 'substr(u.scheduled_at, 2)::float8')}
                  ELSE ${scheduledAtSql('u.scheduled_at::timestamp', 'NULL')} END`,
  },
]

/** Inserts validated jobs in one statement and returns them in input order. Uniqueness is not checked (as Oban's insert_all). */
export async function insertAllJobs(
  db: Queryable,
  prefix: string,
  jobs: JobInsert[],
  options: {notify?: boolean} = {},
): Promise<Job[]> {
  if (jobs.length === 0) return []
  return insertedJobs(jobs, await runInsertRows(db, insertRowsStatement(prefix, jobs, options)))
}

/**
 * Whether every column the batch statement may leave out holds the table's default in `job`
 * (available, no meta or tags, 20 attempts, priority 0, no schedule): most jobs. A single insert
 * of such a job leaves them out too (src/engine/insert-job.ts).
 */
export function leavesDefaults(job: JobInsert): boolean {
  return !OPTIONAL.some((column) => column.needed(job))
}

/** What the statement tells of the rows it inserted: their ids in input order and their inserted_at. */
export interface InsertedRows {
  ids: string[]
  insertedAt: number
}

/** The jobs `rows` are, `jobs` being what was inserted. */
export function insertedJobs(jobs: JobInsert[], rows: InsertedRows): Job[] {
  // A Date per job: jobs must not share a mutable object.
  return rows.ids.map((id, i) => newJob(jobs[i]!, id, new Date(rows.insertedAt)))
}

/** The insert of a non-empty batch, ready to send: a pipelined insert makes the next while one runs. */
export interface InsertRowsStatement {
  config: {name: string; text: string; values: unknown[]}
  count: number
}

export function insertRowsStatement(
  prefix: string,
  jobs: JobInsert[],
  options: {notify?: boolean} = {},
): InsertRowsStatement {
  const used = OPTIONAL.filter((column) => jobs.some((job) => column.needed(job)))
  // A queue or worker shared by the whole batch (the usual case) is one text parameter, not an
  // array unnested into 20k copies: ~10% of the statement's time for 20k jobs.
  const oneQueue = jobs.every((job) => job.queue === jobs[0]!.queue)
  const oneWorker = jobs.every((job) => job.worker === jobs[0]!.worker)
  const mask = [oneQueue, oneWorker, ...OPTIONAL.map((column) => used.includes(column))]
    .map((on) => (on ? '1' : '0'))
    .join('')
  const columns = ['queue', 'worker', 'args', ...used.map((c) => c.column)]
  const sources = [
    ['queue', oneQueue ? undefined : unnest('text[]')('$1')],
    ['worker', oneWorker ? undefined : unnest('text[]')('$2')],
    ['args', jsonElements('$3')],
    ...used.map((c, i) => [c.column, c.source(`$${i + 4}`, prefix)]),
  ].filter((source): source is [string, string] => source[1] !== undefined)
  const selected = [oneQueue ? '$1::text' : 'u.queue', oneWorker ? '$2::text' : 'u.worker', 'u.args']
  // Oban's insert notification, one per distinct queue of the available jobs, sent by the same
  // statement (delivered on commit, like Oban's): no second round trip. The queues are known here,
  // so the server need not return and sort every row's queue to find them.
  const queues = options.notify === true ? notifiedQueues(jobs) : []
  const notify = queues.length > 0
  const values: unknown[] = [
    oneQueue ? jobs[0]!.queue : jobs.map((job) => job.queue),
    oneWorker ? jobs[0]!.worker : jobs.map((job) => job.worker),
    jsonArray(jobs.map((job) => job.argsJson)),
    ...used.map((c) => c.param(jobs)),
  ]
  if (notify) values.push(fullChannel(prefix, 'insert'), queues)
  const notified = notify
    ? `, (SELECT count(pg_notify($${values.length - 1}, ${insertPayload('q.queue')}))
           FROM unnest($${values.length}::text[]) AS q(queue)) AS notified`
    : ''
  const name = `oban_insert_all_jobs${notify ? '_notify' : ''}:${prefix}:${mask}`
  // The name says everything that shapes the text: the prefix, the notification and the mask.
  const text = texts(
    name,
    () => `WITH inserted AS (
             INSERT INTO ${qualified(prefix, 'oban_jobs')} (${columns.join(', ')})
             SELECT ${selected.join(', ')}${used.map((c) => `, ${c.select}`).join('')}
               FROM ROWS FROM (${sources.map(([, source]) => source).join(', ')})
                 AS u(${sources.map(([column]) => column).join(', ')})
             RETURNING id
           ), span AS (
             SELECT min(id) AS first, max(id) AS last, count(*) AS n FROM inserted
           )
           SELECT span.first::text AS first, span.n::int AS n,
                  CASE WHEN span.last - span.first + 1 = span.n THEN NULL
                       ELSE (SELECT string_agg(id::text, ',' ORDER BY id) FROM inserted) END AS ids,
                  timezone('UTC', now()) AS inserted_at${notified}
             FROM span`,
  )
  return {config: {name, text, values}, count: jobs.length}
}

export async function runInsertRows(db: Queryable, statement: InsertRowsStatement): Promise<InsertedRows> {
  const {rows} = await db.query<{first: string | null; n: number; ids: string | null; inserted_at: Date}>(
    statement.config,
  )
  const row = rows[0]!
  const ids = row.ids === null ? consecutive(row.first, row.n) : row.ids.split(',')
  if (ids.length !== statement.count) throw new Error(`insert of ${statement.count} jobs returned ${ids.length} ids`)
  return {ids, insertedAt: row.inserted_at.getTime()}
}

/** The distinct queues of the available jobs, in order (as Oban's notify_trigger sends them). */
function notifiedQueues(jobs: JobInsert[]): string[] {
  const queues = new Set<string>()
  for (const job of jobs) if (job.state === 'available') queues.add(job.queue)
  return [...queues].sort()
}

/** `n` ids counting up from `first` (exact digits, up to 2^63-1). */
function consecutive(first: string | null, n: number): string[] {
  if (first === null) return []
  const ids = new Array<string>(n)
  const start = Number(first)
  // Below 2^53 a double counts exactly, several times faster than a BigInt per id.
  if (start + n <= Number.MAX_SAFE_INTEGER) {
    for (let i = 0; i < n; i++) ids[i] = String(start + i)
  } else {
    const base = BigInt(first)
    for (let i = 0; i < n; i++) ids[i] = String(base + BigInt(i))
  }
  return ids
}

/** A PostgreSQL array literal of strings, every element quoted: `{"a","b \"c\""}`. */
function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`
}
