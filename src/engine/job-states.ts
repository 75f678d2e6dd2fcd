import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import type {JobState} from '../job/job.js'
import {qualified} from '../db/names.js'

/** The current state of each of these jobs that exists (missing ids are simply absent), by id. */
export async function jobStates(db: Queryable, prefix: string, ids: readonly JobId[]): Promise<Map<JobId, JobState>> {
  const {rows} = await db.query<{id: string; state: JobState}>(
    `SELECT id, state FROM ${qualified(prefix, 'oban_jobs')} WHERE id = ANY($1::bigint[])`,
    [ids],
  )
  return new Map(rows.map((row) => [String(row.id), row.state]))
}
