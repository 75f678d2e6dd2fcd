import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import {utcParam} from '../db/types.js'
import {JOB_COLUMNS, rowToJob, type Job, type JobRow} from '../job/job.js'
import type {JobInsert} from '../job/spec.js'
import type {ReplaceField} from '../job/unique-options.js'
import {qualified} from '../db/names.js'
import {scheduledAtSql} from './scheduled-at.js'

/** The column and parameter of each replaceable field (Oban's `@replace_options`). */
const COLUMNS: Record<ReplaceField, {column: string; cast: string; value: (job: JobInsert) => unknown}> = {
  args: {column: 'args', cast: 'jsonb', value: (job) => job.argsJson},
  maxAttempts: {column: 'max_attempts', cast: 'int', value: (job) => job.maxAttempts},
  meta: {column: 'meta', cast: 'jsonb', value: (job) => job.metaJson},
  priority: {column: 'priority', cast: 'int', value: (job) => job.priority},
  queue: {column: 'queue', cast: 'text', value: (job) => job.queue},
  scheduledAt: {
    column: 'scheduled_at',
    cast: 'timestamp',
    value: (job) => (job.scheduleIn === undefined && job.scheduledAt ? utcParam(job.scheduledAt) : null),
  },
  tags: {column: 'tags', cast: 'text[]', value: (job) => job.tags},
  worker: {column: 'worker', cast: 'text', value: (job) => job.worker},
}

/**
 * Copies `fields` of the new job onto the existing job `id` (a unique conflict with `replace`)
 * and returns the updated job, or null when the job no longer exists (deleted meanwhile). The
 * state is left alone, as Oban does: replacing `scheduledAt` of an available job does not make
 * it scheduled.
 */
export async function replaceJob(
  db: Queryable,
  prefix: string,
  id: JobId,
  job: JobInsert,
  fields: readonly ReplaceField[],
): Promise<Job | null> {
  const values: unknown[] = [id]
  const sets = fields.map((field) => {
    const {column, cast, value} = COLUMNS[field]
    values.push(value(job))
    if (field !== 'scheduledAt') return `${column} = $${values.length}::${cast}`
    // As on insert: the given time, now plus scheduleIn's seconds, or now.
    values.push(job.scheduleIn ?? null)
    return `${column} = ${scheduledAtSql(`$${values.length - 1}::timestamp`, `$${values.length}::float8`)}`
  })
  const {rows} = await db.query<JobRow>(
    `UPDATE ${qualified(prefix, 'oban_jobs')} SET ${sets.join(', ')} WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
    values,
  )
  return rows[0] ? rowToJob(rows[0]) : null
}
