import type {Queryable} from '../db/pool.js'
import {qualified} from '../db/names.js'
import {utcParam} from '../db/types.js'

/** Per queue: what happened to its jobs since a moment and above an id (see throughputCounts). */
export interface QueueActivity {
  queue: string
  /** Jobs with an id above `afterId`: inserted since the previous reading. */
  inserted: number
  /** Jobs cancelled, discarded, or failed with attempts left (retryable, by their last error's time) since `since`. */
  cancelled: number
  discarded: number
  retried: number
}

export interface ThroughputReading {
  /** The database's clock (UTC) when the statement ran: the next reading's `since`. */
  at: Date
  /** The highest job id now (0 on an empty table): the next reading's `afterId`. */
  maxId: number
  queues: QueueActivity[]
}

/**
 * One statement, every branch on an index, so its cost grows with the activity since the last
 * reading and not with the size of the table: new jobs by primary key (`id > afterId`), cancelled
 * and discarded jobs by Oban's (state, cancelled_at) and (state, discarded_at) indexes, and
 * retryable jobs whose last error is newer than `since` (its `at`, an ISO-8601 UTC text that
 * compares as text, so a malformed entry cannot fail the statement). The retryable branch reads
 * every retryable row (no index has the failure time): its cost grows with the retryable jobs.
 * Completed jobs have no index either: the caller derives them from the unfinished counts.
 */
export async function throughputCounts(
  db: Queryable,
  prefix: string,
  since: Date | null,
  afterId: number,
): Promise<ThroughputReading> {
  const jobs = qualified(prefix, 'oban_jobs')
  const {rows} = await db.query<{at: Date; max_id: string | null; queues: QueueActivityRow[] | null}>(
    `WITH recent AS (
       SELECT queue,
              count(*) FILTER (WHERE id > $2) AS inserted,
              count(*) FILTER (WHERE state = 'cancelled' AND cancelled_at > $1::timestamp) AS cancelled,
              count(*) FILTER (WHERE state = 'discarded' AND discarded_at > $1::timestamp) AS discarded,
              count(*) FILTER (WHERE state = 'retryable' AND errors[cardinality(errors)]->>'at' > $3) AS retried
         FROM ${jobs}
        WHERE id > $2
           OR (state = 'cancelled' AND cancelled_at > $1::timestamp)
           OR (state = 'discarded' AND discarded_at > $1::timestamp)
           OR (state = 'retryable' AND errors[cardinality(errors)]->>'at' > $3)
        GROUP BY queue
     )
     SELECT timezone('UTC', now()) AS at,
            (SELECT max(id) FROM ${jobs}) AS max_id,
            (SELECT json_agg(recent) FROM recent) AS queues`,
    // The first reading has no `since`: 'infinity' matches nothing, so it only takes the marks.
    [since === null ? 'infinity' : utcParam(since), afterId, since === null ? '9999' : since.toISOString()],
  )
  const row = rows[0]!
  return {
    at: row.at,
    maxId: Number(row.max_id ?? 0),
    queues: (row.queues ?? []).map((q) => ({
      queue: q.queue,
      inserted: Number(q.inserted),
      cancelled: Number(q.cancelled),
      discarded: Number(q.discarded),
      retried: Number(q.retried),
    })),
  }
}

interface QueueActivityRow {
  queue: string
  inserted: number | string
  cancelled: number | string
  discarded: number | string
  retried: number | string
}
