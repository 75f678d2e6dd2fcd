import {createHash} from 'node:crypto'
import type {Queryable} from '../db/pool.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../job/job.js'
import type {NormalizedJobSpec, NormalizedUnique} from '../job/spec.js'
import {qualified} from '../db/names.js'

/** A job that has unique options. */
export type UniqueJobSpec = NormalizedJobSpec & {unique: NormalizedUnique}

/** One comparison of the lookup, in a canonical form that also feeds the lock key. */
type Condition =
  | {field: 'queue' | 'worker'; op: 'eq'; value: string}
  /** Exact equality of a map: `col @> v AND col <@ v`. */
  | {field: 'args' | 'meta'; op: 'exact'; value: unknown}
  /** The listed keys match: `col @> subset`. */
  | {field: 'args' | 'meta'; op: 'contains'; value: unknown}
  /** The (sub)map is empty: `col <@ '{}'`, as Oban writes it. */
  | {field: 'args' | 'meta'; op: 'empty'; value: unknown}

/**
 * The conditions of Oban's `unique_query`: per field, equality for queue/worker; for args/meta
 * without keys exact equality (containment both ways, which is jsonb equality), with keys the
 * containment of the subset of those keys, and an empty map as `<@ '{}'`. Fields are sorted so
 * the lock key does not depend on the order they were listed in.
 */
function uniqueConditions(job: UniqueJobSpec): Condition[] {
  const {fields, keys} = job.unique
  return [...fields].sort().map((field): Condition => {
    if (field === 'queue' || field === 'worker') return {field, op: 'eq', value: job[field]}
    const map = job[field]
    const value = keys.length === 0 ? map : Object.fromEntries(keys.filter((k) => k in map).map((k) => [k, map[k]]))
    if (Object.keys(value).length === 0) return {field, op: 'empty', value: {}}
    return {field, op: keys.length === 0 ? 'exact' : 'contains', value}
  })
}

/**
 * The advisory lock key of a unique job: a stable 63-bit hash (the first 8 bytes of a SHA-256,
 * sign bit cleared) of the prefix, keys, states, period and conditions, as a bigint string. Two
 * inserts of the same unique job, from any of our processes, take the same key. Oban computes its
 * key with Erlang's phash2 of Ecto terms, which this cannot reproduce: an Elixir node and this
 * port inserting the same unique job at the same instant do not exclude each other (each still
 * sees the other's committed job).
 */
export function uniqueLockKey(prefix: string, job: UniqueJobSpec): string {
  const {keys, states, period, timestamp} = job.unique
  const canonical = canonicalJson([prefix, keys, [...states].sort(), period, timestamp, uniqueConditions(job)])
  const digest = createHash('sha256').update(canonical).digest()
  return (digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString()
}

/**
 * Finds an existing job that the unique options say duplicates `job`, or null. The period is
 * measured on the database clock, as inserted_at is written. Sent unnamed: its text varies with
 * the options, as Oban prepares it unnamed.
 */
export async function findUniqueJob(db: Queryable, prefix: string, job: UniqueJobSpec): Promise<Job | null> {
  const {states, period, timestamp} = job.unique
  const values: unknown[] = [states]
  const where = [`state = ANY($1::${qualified(prefix, 'oban_job_state')}[])`]
  if (period !== 'infinity') {
    values.push(period)
    // The column is one of two fixed names, never user text.
    const column = timestamp === 'scheduled_at' ? 'scheduled_at' : 'inserted_at'
    where.push(`${column} >= timezone('UTC', now()) - make_interval(secs => $${values.length}::float8)`)
  }
  for (const condition of uniqueConditions(job)) {
    const column = condition.field
    if (condition.op === 'eq') {
      values.push(condition.value)
      where.push(`${column} = $${values.length}`)
    } else {
      values.push(JSON.stringify(condition.value))
      const p = `$${values.length}::jsonb`
      if (condition.op === 'exact') where.push(`${column} @> ${p} AND ${column} <@ ${p}`)
      else if (condition.op === 'contains') where.push(`${column} @> ${p}`)
      else where.push(`${column} <@ ${p}`)
    }
  }
  const {rows} = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM ${qualified(prefix, 'oban_jobs')} WHERE ${where.join(' AND ')} LIMIT 1`,
    values,
  )
  return rows[0] ? rowToJob(rows[0]) : null
}

/**
 * Takes the transaction-scoped advisory lock `key` without waiting; false when another
 * transaction holds it. Only meaningful inside a transaction: the lock is released at its end.
 */
export async function tryAdvisoryXactLock(db: Queryable, key: string): Promise<boolean> {
  const {rows} = await db.query<{locked: boolean}>({
    name: 'oban_try_advisory_xact_lock',
    text: 'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
    values: [key],
  })
  return rows[0]?.locked === true
}

/** JSON with object keys sorted at every level, so equal maps hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
