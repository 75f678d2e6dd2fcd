import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import type {JobError, JobState} from '../job/job.js'
import {qualified} from '../db/names.js'
import {statementTexts} from './statement-texts.js'

// Acknowledgements of executed jobs, one statement per outcome, each for many jobs at once:
// per-job acks are what bounds Oban's open-source engine (one UPDATE and commit per job), so
// the acker batches them. Each statement sets exactly the columns Oban's Basic engine sets for
// that outcome, so a row looks the same whichever node ran the job.
//
// Past Oban, whose acks match the id alone: an ack changes a job only while the row is still the
// attempt this node fetched, that is `executing`, with the same `attempt` and this node first in
// `attempted_by`. A node that was frozen, cut off or slow long enough for a Lifeline to rescue its
// jobs (and another node to run them again) would otherwise overwrite the other node's attempt
// when it finally finishes its own. The same fence means that a job cancelled, deleted or retried
// in the database while it ran keeps what the operator made of it (a job cancelled while it ran
// and then completed stays cancelled, where Oban would mark it completed); the one exception is
// the cancel ack itself, which records its error entry on the attempt the operator cancelled. Each statement reports the
// acks it did not apply, with the row as it is now, in the same round trip: on the usual path
// that is an empty result, so the fence costs no extra query.

const NOW = `timezone('UTC', now())`

// Each statement's text is built once per prefix: an ack is written for every batch of a busy queue.
const texts = statementTexts<string>()

/**
 * An error entry as stored: the entry with its `at` set by the database to the ack's now, in
 * Elixir's `DateTime.to_iso8601` form with microseconds (`2026-12-07T03:50:12.123456Z`), as
 * Oban's `format_attempt` writes it (oban-spec.md §6.4). JavaScript dates hold milliseconds only.
 */
const STORED_ERROR = `u.error || jsonb_build_object('at', to_char(${NOW}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`

/** The attempt an ack is about: the job's id and the `attempt` it had when this node fetched it. */
export interface AckedAttempt {
  id: JobId
  attempt: number
}

/**
 * An ack that changed nothing because the job is no longer that attempt on this node: the ack's
 * id and attempt, and the row as it is now (`state` null when the job no longer exists).
 */
export interface StaleAck {
  id: JobId
  attempt: number
  state: JobState | null
  currentAttempt: number | null
  attemptedBy: string[] | null
}

interface StaleRow {
  id: string
  attempt: number
  state: JobState | null
  current_attempt: number | null
  attempted_by: string[] | null
}

/** An outcome's own column of the unnested acks: its name and array type. */
type Column = readonly [name: string, arrayType: string]

/**
 * The shared shape of every ack statement: `acks` (the unnested parameters: `id` and `attempt`,
 * then the outcome's own columns), an UPDATE fenced on the fetched attempt, and the acks it did
 * not apply joined with their current rows (`states`: the states the attempt may be in, as SQL
 * literals; `executing` unless said). `$1` and `$2` are the ids and attempts, `$3` the
 * node; the outcome's arrays follow, in `columns` order. The stale acks are found first (a
 * MATERIALIZED CTE, so the planner cannot reorder it), then their rows are read through the
 * primary key, one lookup each (`OFFSET 0` keeps the planner from turning the lookups into a
 * hash join over the whole table): when every ack applied, no row is read at all.
 */
function fenced(prefix: string, columns: readonly Column[], set: string, states = `'executing'`): string {
  const jobs = qualified(prefix, 'oban_jobs')
  const arrays = ['$1::bigint[]', '$2::int[]', ...columns.map(([, type], i) => `$${i + 4}::${type}`)]
  const names = ['id', 'attempt', ...columns.map(([name]) => name)]
  return `WITH acks AS (
            SELECT * FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})
          ), done AS (
            UPDATE ${jobs} AS j SET ${set}
              FROM acks AS u
             WHERE j.id = u.id AND j.attempt = u.attempt AND j.state IN (${states}) AND j.attempted_by[1] = $3
            RETURNING j.id
          ), stale AS MATERIALIZED (
            SELECT u.id, u.attempt FROM acks AS u WHERE NOT EXISTS (SELECT 1 FROM done WHERE done.id = u.id)
          )
          SELECT s.id, s.attempt, j.state, j.current_attempt, j.attempted_by
            FROM stale AS s
            LEFT JOIN LATERAL (
              SELECT state::text AS state, attempt AS current_attempt, attempted_by FROM ${jobs}
               WHERE id = s.id OFFSET 0
            ) AS j ON TRUE`
}

async function run(db: Queryable, statement: {name: string; text: string; values: unknown[]}): Promise<StaleAck[]> {
  const {rows} = await db.query<StaleRow>(statement)
  return rows.map((row) => ({
    id: String(row.id),
    attempt: row.attempt,
    state: row.state,
    currentAttempt: row.current_attempt,
    attemptedBy: row.attempted_by,
  }))
}

// The ids and attempts as array literals (`{1,2,3}`): both are integers (a JobId is validated
// digits), so they need none of the quoting node-postgres's array serialiser does per element.
const ids = (acks: readonly AckedAttempt[]) => `{${acks.map((a) => a.id).join(',')}}`
const attempts = (acks: readonly AckedAttempt[]) => `{${acks.map((a) => a.attempt).join(',')}}`

/** executing -> completed. Returns the acks that did not apply (see {@link StaleAck}). */
export async function completeJobs(
  db: Queryable,
  prefix: string,
  node: string,
  acks: readonly AckedAttempt[],
): Promise<StaleAck[]> {
  const name = `oban_complete_jobs:${prefix}`
  return run(db, {
    name,
    text: texts(name, () => fenced(prefix, [], `state = 'completed', completed_at = ${NOW}`)),
    values: [ids(acks), attempts(acks), node],
  })
}

export interface RetryAck extends AckedAttempt {
  /** Backoff in seconds from now. */
  backoff: number
  error: JobError
}

/** executing -> retryable at now + backoff, with the error appended. Returns the acks that did not apply. */
export async function retryJobs(
  db: Queryable,
  prefix: string,
  node: string,
  acks: readonly RetryAck[],
): Promise<StaleAck[]> {
  const name = `oban_retry_jobs:${prefix}`
  return run(db, {
    name,
    text: texts(name, () =>
      fenced(
        prefix,
        [
          ['backoff', 'float8[]'],
          ['error', 'jsonb[]'],
        ],
        `state = 'retryable',
         scheduled_at = ${NOW} + make_interval(secs => u.backoff),
         errors = j.errors || ARRAY[${STORED_ERROR}]`,
      ),
    ),
    values: [ids(acks), attempts(acks), node, acks.map((a) => a.backoff), acks.map((a) => a.error)],
  })
}

export interface ErrorAck extends AckedAttempt {
  /** Appended to `errors` when present. */
  error?: JobError
}

const APPEND_ERROR = `errors = CASE WHEN u.error IS NULL THEN j.errors ELSE j.errors || ARRAY[${STORED_ERROR}] END`

/**
 * executing -> discarded (out of attempts, or a discard result), with the error appended.
 * Returns the acks that did not apply.
 */
export async function discardJobs(
  db: Queryable,
  prefix: string,
  node: string,
  acks: readonly ErrorAck[],
): Promise<StaleAck[]> {
  const name = `oban_discard_jobs:${prefix}`
  return run(db, {
    name,
    text: texts(name, () =>
      fenced(prefix, [['error', 'jsonb[]']], `state = 'discarded', discarded_at = ${NOW}, ${APPEND_ERROR}`),
    ),
    values: [ids(acks), attempts(acks), node, acks.map((a) => a.error ?? null)],
  })
}

/**
 * executing -> cancelled (a cancel result, or killed by pkill), with the error appended.
 * Returns the acks that did not apply. Unlike the others it also applies to the attempt once it
 * is `cancelled`: an operator's cancel (Oban's `cancel_all_jobs`) marks the executing job
 * cancelled and sends the pkill whose ack this is, which records the error entry, as in Oban.
 */
export async function cancelExecutedJobs(
  db: Queryable,
  prefix: string,
  node: string,
  acks: readonly ErrorAck[],
): Promise<StaleAck[]> {
  const name = `oban_cancel_executed_jobs:${prefix}`
  return run(db, {
    name,
    text: texts(name, () =>
      fenced(
        prefix,
        [['error', 'jsonb[]']],
        `state = 'cancelled', cancelled_at = ${NOW}, ${APPEND_ERROR}`,
        `'executing', 'cancelled'`,
      ),
    ),
    values: [ids(acks), attempts(acks), node, acks.map((a) => a.error ?? null)],
  })
}

export interface SnoozeAck extends AckedAttempt {
  /** Seconds from now. */
  seconds: number
}

/**
 * executing -> scheduled at now + seconds. Oban's main branch semantics (the fix of oban#476,
 * which the released 2.23.1 lacks): a snooze gives the attempt back (`attempt - 1`) and counts
 * itself in `meta.snoozed`, so snoozing never exhausts attempts nor inflates the next backoff.
 * Returns the acks that did not apply.
 */
export async function snoozeJobs(
  db: Queryable,
  prefix: string,
  node: string,
  acks: readonly SnoozeAck[],
): Promise<StaleAck[]> {
  const name = `oban_snooze_jobs:${prefix}`
  return run(db, {
    name,
    text: texts(name, () =>
      fenced(
        prefix,
        [['seconds', 'float8[]']],
        `state = 'scheduled',
         scheduled_at = ${NOW} + make_interval(secs => u.seconds),
         attempt = GREATEST(j.attempt - 1, 0),
         meta = jsonb_set(COALESCE(j.meta, '{}'::jsonb), '{snoozed}',
                          to_jsonb(COALESCE((j.meta ->> 'snoozed')::int, 0) + 1))`,
      ),
    ),
    values: [ids(acks), attempts(acks), node, acks.map((a) => a.seconds)],
  })
}
