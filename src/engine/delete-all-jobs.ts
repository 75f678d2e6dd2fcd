import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import type {ChangedJob} from './retry-all-jobs.js'
import {qualified} from '../db/names.js'

/**
 * Oban's `delete_all_jobs` for a list of ids: deletes every one that is not executing (a running
 * job keeps its row, so its outcome can still be recorded). Returns the jobs deleted with the
 * state they were in.
 */
export async function deleteAllJobs(db: Queryable, prefix: string, ids: readonly JobId[]): Promise<ChangedJob[]> {
  const {rows} = await db.query<{id: string; queue: string; state: string}>(
    `DELETE FROM ${qualified(prefix, 'oban_jobs')}
      WHERE id = ANY($1::bigint[]) AND state <> 'executing'
     RETURNING id, queue, state`,
    [ids],
  )
  return rows.map((r) => ({id: String(r.id), queue: r.queue, previousState: r.state}))
}
