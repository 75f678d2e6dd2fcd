import type {Queryable} from '../db/pool.js'
import {utcParam} from '../db/types.js'
import type {Timestamp} from '../db/types.js'
import type {Job} from '../job/job.js'
import {newJob, type JobInsert} from '../job/spec.js'
import {fullChannel, insertPayload, qualified} from '../db/names.js'
import {leavesDefaults} from './insert-all-jobs.js'
import {scheduledAtSql} from './scheduled-at.js'
import {statementTexts} from './statement-texts.js'

/**
 * Inserts one validated job and returns it as stored. Columns the spec leaves to Oban's defaults
 * (errors, attempt, inserted_at) come from the table; `scheduled_at` is the database's "now" for
 * a job that is not scheduled, so a job is never due before the server thinks it was inserted.
 * Only what the database decides is read back (the id, `inserted_at`, `scheduled_at`); the rest
 * of the returned job is the validated spec, as for a bulk insert (no trigger of Oban's schema
 * rewrites a row). Reading all 18 columns back was a third of a single insert's client time.
 *
 * With `notify`, the same statement also sends Oban's insert notification (`{"queue":Q}`, byte for byte, on
 * `<prefix>.oban_insert`) when the job is available: one round trip instead of two, which is
 * most of the cost of a single insert. PostgreSQL delivers it on commit, like Oban's.
 */
export async function insertJob(
  db: Queryable,
  prefix: string,
  job: JobInsert,
  options: {notify?: boolean} = {},
): Promise<Job> {
  const notify = options.notify === true
  if (leavesDefaults(job)) return insertDefaultRow(db, prefix, job, notify)
  const {rows} = await db.query<{id: string; inserted_at: Timestamp; scheduled_at: Timestamp}>({
    ...statement(prefix, notify),
    values: [
      job.state,
      job.queue,
      job.worker,
      job.argsJson,
      job.metaJson,
      job.tags,
      job.maxAttempts,
      job.priority,
      job.scheduleIn === undefined && job.scheduledAt ? utcParam(job.scheduledAt) : null,
      job.scheduleIn ?? null,
      ...(notify ? [fullChannel(prefix, 'insert')] : []),
    ],
  })
  const row = rows[0]!
  // inserted_at is always a Date here: it is the database's now().
  const inserted = newJob(job, row.id, row.inserted_at as Date)
  inserted.scheduledAt = row.scheduled_at
  return inserted
}

/*
 * A job whose other columns all hold the table's default (leavesDefaults: most inserts) is
 * inserted with three parameters and reads back only its id and inserted_at (its scheduled_at is
 * the same now()): ~10% of a single insert's server time (bench/README.md).
 */
async function insertDefaultRow(db: Queryable, prefix: string, job: JobInsert, notify: boolean): Promise<Job> {
  const {rows} = await db.query<{id: string; inserted_at: Date}>({
    ...defaultRowStatement(prefix, notify),
    values: notify
      ? [job.queue, job.worker, job.argsJson, fullChannel(prefix, 'insert')]
      : [job.queue, job.worker, job.argsJson],
  })
  const row = rows[0]!
  const inserted = newJob(job, row.id, row.inserted_at)
  // inserted_at is the database's now(), never infinite; scheduled_at is its own Date of it.
  inserted.scheduledAt = new Date(row.inserted_at.getTime())
  return inserted
}

const statements = statementTexts<{name: string; text: string}>()

function defaultRowStatement(prefix: string, notify: boolean): {name: string; text: string} {
  const name = `oban_insert_default_job${notify ? '_notify' : ''}:${prefix}`
  return statements(name, () => ({
    name,
    text: `INSERT INTO ${qualified(prefix, 'oban_jobs')} (queue, worker, args) VALUES ($1, $2, $3::jsonb)
           RETURNING id::text AS id, inserted_at${notify ? `, pg_notify($4, ${insertPayload('queue')}) AS notified` : ''}`,
  }))
}

function statement(prefix: string, notify: boolean): {name: string; text: string} {
  const name = `oban_insert_job${notify ? '_notify' : ''}:${prefix}`
  return statements(name, () => {
    const insert = (returning: string) => `INSERT INTO ${qualified(prefix, 'oban_jobs')}
             (state, queue, worker, args, meta, tags, max_attempts, priority, scheduled_at)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::text[], $7, $8,
                   ${scheduledAtSql('$9::timestamp', '$10::float8')})
           RETURNING ${returning}`
    return {
      name,
      // RETURNING may call functions: the notification needs no CTE around the insert.
      text: notify
        ? insert(`id::text AS id, inserted_at, scheduled_at,
                  CASE WHEN state = 'available' THEN pg_notify($11, ${insertPayload('queue')}) END AS notified`)
        : insert('id::text AS id, inserted_at, scheduled_at'),
    }
  })
}
