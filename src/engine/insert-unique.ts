import type {Queryable} from '../db/pool.js'
import type {Job, JobState} from '../job/job.js'
import type {NormalizedJobSpec} from '../job/spec.js'
import type {ReplaceField} from '../job/unique-options.js'
import {findUniqueJob, tryAdvisoryXactLock, uniqueLockKey, type UniqueJobSpec} from './find-unique-job.js'
import {insertJob} from './insert-job.js'
import {replaceJob} from './replace-job.js'

export type {UniqueJobSpec} from './find-unique-job.js'

/**
 * The outcome of a unique insert:
 * - `inserted`: no duplicate, the job was inserted;
 * - `conflict`: a duplicate exists and is returned (after `replace`, when the options ask);
 * - `locked`: another transaction holds the lock for this very job (it is inserting it right
 *   now), so nothing was inserted and there is no job to return. Oban returns the unsaved job
 *   with `id: nil, conflict?: true` here; if that other transaction rolls back, no job exists
 *   (Oban issue #1093).
 */
export type UniqueInsertOutcome =
  {outcome: 'inserted'; job: Job} | {outcome: 'conflict'; job: Job} | {outcome: 'locked'}

/**
 * Oban's `insert_unique`: takes the advisory lock of the job's unique conditions, looks for a
 * duplicate and inserts only when there is none. Must run inside a transaction (the lock is
 * transaction-scoped, and it is what serialises concurrent inserts of the same job: there is no
 * unique index); the caller owns BEGIN/COMMIT.
 */
export async function insertUniqueJob(db: Queryable, prefix: string, job: UniqueJobSpec): Promise<UniqueInsertOutcome> {
  if (!(await tryAdvisoryXactLock(db, uniqueLockKey(prefix, job)))) return {outcome: 'locked'}
  const existing = await findUniqueJob(db, prefix, job)
  if (!existing) return {outcome: 'inserted', job: await insertJob(db, prefix, job)}
  const fields = replaceFields(job, existing.state)
  if (fields.length === 0) return {outcome: 'conflict', job: existing}
  // A job deleted between the lookup and the update is returned as found.
  return {outcome: 'conflict', job: (await replaceJob(db, prefix, existing.id, job, fields)) ?? existing}
}

/**
 * The fields `replace` lists for the existing job's state, among those the new job gives
 * explicitly (Oban copies `Map.take(changeset.changes, keys)`: defaults are not changes).
 */
export function replaceFields(job: NormalizedJobSpec, state: JobState): ReplaceField[] {
  return (job.replace?.[state] ?? []).filter((field) => job.given.has(field))
}
