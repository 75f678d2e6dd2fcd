import {checkJobFilter, type JobFilterInput} from '../client/read-jobs.js'
import {embeddedUrl} from '../db/embedded/index.js'
import {
  migrateDown as migrateSchemaDown,
  migrateUp as migrateSchemaUp,
  migrationStatus as schemaStatus,
  verifyMigrated,
  type MigrateDownOptions,
  type MigrateUpOptions,
  type MigrationResult,
  type MigrationStatus,
} from '../db/migrations/index.js'
import {withDatabase, type DatabaseTarget} from '../db/target.js'
import {JobFilterError} from '../errors.js'
import {isEmptyFilter, type JobFilter} from '../job/filter.js'
import {toJobIds, type JobIdInput} from '../job/job-id.js'
import {actOnJobs, type ActionPreview, type JobActionResult} from './act-on-jobs.js'
import type {JobActionName} from './bulk-actions.js'

/**
 * Job and schema operations from code, for code that is not a node (each takes a
 * {@link DatabaseTarget}: a pool or a URL, and a prefix). `oban job retry|cancel|delete`,
 * `oban migrate` and `oban db url` call these same functions.
 */

/**
 * Which jobs a bulk operation changes: one id, a list of ids, a filter (the criteria of
 * `oban job list`; with `ids` too, only those ids that match), or `{all: true}` for every job the
 * operation applies to. An empty filter is refused (JobFilterError) so that a missing variable
 * never means "every job".
 */
export type JobSelection = JobIdInput | readonly JobIdInput[] | JobFilterInput | {all: true}

export interface JobOperationOptions {
  /** Jobs per transaction (default 1,000): no lock is held longer than one batch. */
  batchSize?: number
  /** Called after each batch with the jobs changed so far and the number that matched. */
  onProgress?: (changed: number, total: number) => void
  /** Asked once the matching jobs are counted (never when none match); false changes nothing (`aborted`). */
  confirm?: (preview: ActionPreview) => Promise<boolean>
}

/**
 * Oban's retry_all_jobs: every selected job that is neither available nor executing becomes
 * available now, with at least one attempt left. Returns the counts (`changed`, `byState`,
 * `batches`, `skipped` for jobs a node held locked throughout), and for explicit ids which
 * changed, which do not exist (`notFound`) and which are in a state retry does not apply to.
 */
export function retryJobs(
  target: DatabaseTarget,
  jobs: JobSelection,
  options?: JobOperationOptions,
): Promise<JobActionResult> {
  return operate('retry', target, jobs, options)
}

/** Oban's cancel_all_jobs: non-final jobs become cancelled; executing ones get a pkill where they run. See {@link retryJobs}. */
export function cancelJobs(
  target: DatabaseTarget,
  jobs: JobSelection,
  options?: JobOperationOptions,
): Promise<JobActionResult> {
  return operate('cancel', target, jobs, options)
}

/** Oban's delete_all_jobs: every selected job that is not executing is deleted. See {@link retryJobs}. */
export function deleteJobs(
  target: DatabaseTarget,
  jobs: JobSelection,
  options?: JobOperationOptions,
): Promise<JobActionResult> {
  return operate('delete', target, jobs, options)
}

async function operate(
  action: JobActionName,
  target: DatabaseTarget,
  jobs: JobSelection,
  options: JobOperationOptions = {},
): Promise<JobActionResult> {
  const filter = selectionFilter(jobs)
  return withDatabase(target, async (pool, prefix) => {
    if (target.databaseUrl !== undefined) await verifyMigrated(pool, prefix)
    return actOnJobs({pool, prefix, action, filter, ...options, notFound: 'return'})
  })
}

/** A selection as a filter, checked before anything connects. */
export function selectionFilter(jobs: JobSelection): JobFilter {
  if (typeof jobs === 'string' || typeof jobs === 'number' || typeof jobs === 'bigint') return {ids: toJobIds([jobs])}
  if (isIdList(jobs)) {
    if (jobs.length === 0) throw new JobFilterError('no job ids given: pass at least one id, a filter, or {all: true}')
    return {ids: toJobIds(jobs)}
  }
  if (jobs === null || typeof jobs !== 'object')
    throw new JobFilterError('select jobs by id, ids, a filter or {all: true}')
  if ('all' in jobs) {
    if (jobs.all !== true || Object.keys(jobs).length !== 1)
      throw new JobFilterError('{all: true} means every job: give it alone, without other criteria')
    return {}
  }
  const filter = checkJobFilter(jobs)
  if (isEmptyFilter(filter))
    throw new JobFilterError('an empty filter would select every job: pass {all: true} to mean that')
  return filter
}

function isIdList(jobs: JobSelection): jobs is readonly JobIdInput[] {
  return Array.isArray(jobs)
}

/** `oban migrate`: Oban's migrations up to `version` (default the latest, 14), in one locked transaction. */
export function migrateUp(
  target: DatabaseTarget,
  options: Omit<MigrateUpOptions, 'prefix'> = {},
): Promise<MigrationResult> {
  return withDatabase(target, (pool, prefix) => migrateSchemaUp(pool, {...options, prefix}))
}

/**
 * `oban migrate down`: `{version: N}` as Oban's `down(version: N)` (undoes N and above, leaving
 * N - 1) or `{to: N}` (leaves the schema at N; 0 drops Oban's tables), in one locked transaction.
 * `confirm` sees what will be dropped (and how many jobs) first; false changes nothing
 * (`declined: true`).
 */
export function migrateDown(
  target: DatabaseTarget,
  options: Omit<MigrateDownOptions, 'prefix'>,
): Promise<MigrationResult> {
  return withDatabase(target, (pool, prefix) => migrateSchemaDown(pool, {...options, prefix}))
}

/**
 * `oban migrate status`: the schema's version (0 when not installed), whether it is current, and
 * any difference from the tables Oban creates. With `allSchemas`, every schema holding Oban's tables.
 */
export function migrationStatus(
  target: DatabaseTarget,
  options: {allSchemas?: boolean} = {},
): Promise<MigrationStatus[]> {
  return withDatabase(target, (pool, prefix) => schemaStatus(pool, {prefix: options.allSchemas ? undefined : prefix}))
}

/**
 * `oban db url`: the URL of the embedded PostgreSQL under `.oban/` (or `dataDir`), starting it
 * first (and creating it on first use) when it is not running.
 */
export function embeddedDatabaseUrl(options: {dataDir?: string} = {}): Promise<string> {
  return embeddedUrl(options)
}
