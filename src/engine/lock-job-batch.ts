import type {Queryable} from '../db/pool.js'
import type {JobId} from '../job/job-id.js'
import type {JobFilter} from '../job/filter.js'
import type {JobState} from '../job/job.js'
import {eligibleCondition, filterConditions} from './job-filter-sql.js'
import {qualified} from '../db/names.js'

export interface JobBatch {
  /** Every matching job of the batch's id range, in id order: the candidates. */
  candidates: JobId[]
  /** The candidates now locked by this transaction, with their state. */
  locked: {id: JobId; state: JobState}[]
}

/**
 * Takes the next batch of a bulk action: the first `size` jobs with an id above `afterId` that
 * match the filter and are in one of `states`, or in one of `outOfAttempts` with no attempt left
 * (the candidates, in id order), and locks those
 * that nobody else holds (`FOR UPDATE SKIP LOCKED`). Run it in a transaction; the locks last
 * until its end. The next batch starts after the last candidate, so a sweep reads the table once
 * and never waits: a job that a node is fetching or acknowledging right now is a candidate that
 * was not locked, which the caller can try again later. Never waiting also means a bulk action
 * cannot deadlock with the nodes' own statements.
 */
export async function lockJobBatch(
  db: Queryable,
  prefix: string,
  request: {
    filter: JobFilter
    states: readonly JobState[]
    outOfAttempts?: readonly JobState[]
    /** Exclusive; "0" for the first batch. */
    afterId: JobId
    size: number
  },
): Promise<JobBatch> {
  const jobs = qualified(prefix, 'oban_jobs')
  const values: unknown[] = [request.afterId, request.size]
  const eligible = (alias = '') =>
    eligibleCondition(prefix, {states: request.states, outOfAttempts: request.outOfAttempts}, values, alias)
  const where = filterConditions(prefix, request.filter, values)
  // MATERIALIZED: the candidate list is computed once, then locked row by row through the
  // primary key; the state is checked again on the locked (latest) version of each row.
  const {rows} = await db.query<{candidates: string[]; locked: {id: string; state: JobState}[] | null}>(
    `WITH candidates AS MATERIALIZED (
       SELECT id FROM ${jobs}
        WHERE id > $1::bigint AND ${eligible()} AND ${where}
        ORDER BY id
        LIMIT $2
     ), locked AS MATERIALIZED (
       SELECT j.id, j.state FROM ${jobs} AS j
        WHERE j.id IN (SELECT id FROM candidates) AND ${eligible('j')}
        ORDER BY j.id
        FOR UPDATE SKIP LOCKED
     )
     SELECT ARRAY(SELECT id FROM candidates ORDER BY id) AS candidates,
            (SELECT json_agg(json_build_object('id', id::text, 'state', state) ORDER BY id) FROM locked) AS locked`,
    values,
  )
  const row = rows[0]
  return {
    candidates: (row?.candidates ?? []).map(String),
    locked: (row?.locked ?? []).map((job) => ({id: job.id, state: job.state})),
  }
}
