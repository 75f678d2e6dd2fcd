import type pg from 'pg'
import type {Queryable} from '../../src/db/pool.js'
import {
  findUniqueJob,
  tryAdvisoryXactLock,
  uniqueLockKey,
  type UniqueJobSpec,
} from '../../src/engine/find-unique-job.js'
import {insertJob} from '../../src/engine/insert-job.js'
import {insertUniqueJob} from '../../src/engine/insert-unique.js'
import type {Job} from '../../src/job/job.js'
import {normalizeJobSpec, type JobSpec} from '../../src/job/spec.js'
import {sendNotifications} from '../../src/notifier/send.js'
import type {Repo} from '../../src/plugin/plugin.js'

/** The outcome of one cron insert. */
export type CronInsert =
  | {outcome: 'inserted'; job: Job}
  /** The entry's job for this minute exists already (another leader, or a second evaluation). */
  | {outcome: 'duplicate'; job: Job}
  /** Another transaction is inserting the entry's job for this minute right now. */
  | {outcome: 'locked'}
  /** The job's own `unique` options found a duplicate. */
  | {outcome: 'conflict'; job: Job}

/** The key of the per-minute guard: the entry's name and the minute it fires for. */
export interface CronGuard {
  name: string
  /** The minute being evaluated, stored as `cron_at` (ISO 8601, UTC) in the job's meta. */
  at: Date
}

/**
 * Inserts a cron job in one transaction, at most once per entry and minute when `guard` is given.
 *
 * Oban's open-source Cron relies on leadership alone, and leadership can be wrong for a moment
 * (a lease taken over while the old leader still evaluates, oban#1488). The guard is a unique
 * insert keyed on the entry's name and the minute, the way Oban Pro's scheduling guarantees work:
 * Oban's own unique machinery (src/engine/insert-unique.ts) with `fields: [worker, meta]`,
 * `keys: [cron_name, cron_at]`, every state, no period. The advisory lock serialises two nodes
 * inserting the same entry for the same minute; the one that comes second finds the first's job
 * (or, while the first has not committed, the lock taken) and inserts nothing. A job the Pruner
 * has already deleted cannot be found, but that minute is long past by then.
 *
 * The guard is checked before, and separately from, the job's own `unique` options (the entry's
 * or its worker's), which then apply as usual; note that `cron_at` differs from minute to minute,
 * so a `unique` on the whole `meta` (without `keys`) no longer folds two minutes into one job.
 */
export async function insertCronJob(
  repo: Repo,
  spec: JobSpec,
  options: {guard?: CronGuard; insertTrigger: boolean},
): Promise<CronInsert> {
  const job = normalizeJobSpec(spec)
  return repo.transaction(async (tx) => {
    const db = queryable(tx)
    if (options.guard) {
      const guard = guardSpec(spec.worker, options.guard)
      if (!(await tryAdvisoryXactLock(db, uniqueLockKey(tx.prefix, guard)))) return {outcome: 'locked'}
      const existing = await findUniqueJob(db, tx.prefix, guard)
      if (existing) return {outcome: 'duplicate', job: existing}
    }
    if (!job.unique) {
      // The statement notifies the queue itself, delivered at commit.
      return {outcome: 'inserted', job: await insertJob(db, tx.prefix, job, {notify: options.insertTrigger})}
    }
    const unique = await insertUniqueJob(db, tx.prefix, job as UniqueJobSpec)
    if (unique.outcome === 'locked') return {outcome: 'locked'}
    if (unique.outcome === 'conflict') return {outcome: 'conflict', job: unique.job}
    if (options.insertTrigger && unique.job.state === 'available')
      await sendNotifications(db, tx.prefix, 'insert', [{queue: unique.job.queue}])
    return {outcome: 'inserted', job: unique.job}
  })
}

/** The `cron_at` value of a guarded job: the minute, in UTC, to the second. */
export function cronAt(minute: Date): string {
  return minute.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function guardSpec(worker: string, guard: CronGuard): UniqueJobSpec {
  return normalizeJobSpec({
    worker,
    meta: {cron_name: guard.name, cron_at: cronAt(guard.at)},
    unique: {fields: ['worker', 'meta'], keys: ['cron_name', 'cron_at'], period: 'infinity', states: 'all'},
  }) as UniqueJobSpec
}

/**
 * The engine's statements take a pg-style queryable; a plugin has its instance's Repo. This
 * adapter runs them on the Repo (inside the caller's transaction). Only rows are carried over:
 * the statements used here read `rows`, never `rowCount`.
 */
function queryable(repo: Repo): Queryable {
  return {
    async query<R extends pg.QueryResultRow>(textOrConfig: string | pg.QueryConfig<unknown[]>, values?: unknown[]) {
      const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text
      const params = (typeof textOrConfig === 'string' ? values : (textOrConfig.values ?? values)) ?? []
      const rows = await repo.query<R>(text, params)
      return {rows, rowCount: rows.length, command: '', oid: 0, fields: []}
    },
  }
}
