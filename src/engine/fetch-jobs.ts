import type pg from 'pg'
import type {Queryable} from '../db/pool.js'
import {timestampMs, type Timestamp} from '../db/types.js'
import {JOB_ARRAY_COLUMNS, jsonArrayToJob, type Job} from '../job/job.js'
import {compareJobIds} from '../job/job-id.js'
import {qualified} from '../db/names.js'
import {statementTexts} from './statement-texts.js'

export interface FetchRequest {
  queue: string
  /** Free capacity: never fetch more than `limit - running`. */
  demand: number
  node: string
  /** The producer's uuid, recorded with the node in `attempted_by`, as Oban does. */
  producerUuid: string
  /** The queue's limit: a fetch of all of it uses a statement of its own (see fetchJobs). */
  limit?: number
}

/** Each fetched row as one JSON array of its columns (see jsonArrayToJob). */
const RETURNED = `json_build_array(${JOB_ARRAY_COLUMNS.split(', ')
  .map((column) => `j.${column}`)
  .join(', ')})`

/**
 * Claims up to `demand` available jobs of a queue in Oban's order (priority, scheduled_at, id)
 * and marks them executing, in one statement. As in Oban's Basic engine, the CTE is an
 * optimisation fence: without it the planner may run the LIMIT subquery per row and update
 * more rows than asked for. Jobs out of attempts are never fetched. SKIP LOCKED lets any number
 * of producers, in any process or node, fetch from one queue without blocking or duplicates.
 * Returned jobs are sorted in fetch order (UPDATE ... RETURNING does not keep it). Each row comes
 * back as one JSON array of its columns (`JOB_ARRAY_COLUMNS`, the id as text): with 18 columns,
 * node-postgres's per-column parsing was ~20 µs per job, about half of the fetch's client CPU,
 * and a `row_to_json` object with its keys parses about three times slower than the array
 * (bench/README.md).
 */
export async function fetchJobs(db: Queryable, prefix: string, request: FetchRequest): Promise<Job[]> {
  const {queue, demand, node, producerUuid} = request
  // A fetch of a queue's whole limit (a busy queue's usual fetch) has the limit as a literal, one
  // statement per limit value: PostgreSQL then finds its generic plan as cheap as a custom one and
  // keeps it, where with `LIMIT $2` the generic plan is costed for 10% of the table and every
  // execution is planned again (bench/README.md). The limit is a validated integer, not user text.
  const whole = demand === request.limit && Number.isSafeInteger(demand) && demand > 0
  // Rows as arrays: node-postgres then copies no object per row.
  const config: pg.QueryArrayConfig = {
    ...statement(prefix, whole ? demand : undefined),
    values: whole ? [queue, node, producerUuid] : [queue, node, producerUuid, demand],
    rowMode: 'array',
  }
  const {rows} = (await db.query(config)) as unknown as {rows: [unknown[]][]}
  return rows.map((row) => jsonArrayToJob(row[0], request)).sort(fetchOrder)
}

const statements = statementTexts<{name: string; text: string}>()

/**
 * The fetch statement: `$1` the queue, `$2` the node, `$3` the producer's uuid, and `$4` the
 * demand unless `limit` is given as a literal.
 */
function statement(prefix: string, limit: number | undefined): {name: string; text: string} {
  const name = limit === undefined ? `oban_fetch_jobs:${prefix}` : `oban_fetch_jobs:${prefix}:${limit}`
  return statements(name, () => {
    const jobs = qualified(prefix, 'oban_jobs')
    return {
      name,
      text: `WITH subset AS (
        SELECT id FROM ${jobs}
        WHERE state = 'available' AND queue = $1
        ORDER BY priority ASC, scheduled_at ASC, id ASC
        LIMIT ${limit ?? '$4'}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${jobs} AS j
         SET state = 'executing',
             attempted_at = timezone('UTC', now()),
             attempted_by = ARRAY[$2::text, $3::text],
             attempt = j.attempt + 1
        FROM subset
       WHERE j.id = subset.id AND j.attempt < j.max_attempts
      RETURNING ${RETURNED} AS job`,
    }
  })
}

// Scheduled times a Date cannot hold (`infinity`) compare as ±Infinity, equal to each other.
function byTime(a: Timestamp, b: Timestamp): number {
  const x = timestampMs(a)
  const y = timestampMs(b)
  return x === y ? 0 : x < y ? -1 : 1
}

function fetchOrder(a: Job, b: Job): number {
  return a.priority - b.priority || byTime(a.scheduledAt, b.scheduledAt) || compareJobIds(a.id, b.id)
}
