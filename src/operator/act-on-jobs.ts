import type {Pool} from '../db/pool.js'
import {compareJobIds, type JobId} from '../job/job-id.js'
import {countJobsByState} from '../engine/count-jobs.js'
import {jobStates} from '../engine/job-states.js'
import type {JobFilter} from '../job/filter.js'
import {JOB_STATES, type JobState} from '../job/job.js'
import {JobNotFoundError} from '../errors.js'
import {plural} from '../util/plural.js'
import {JOB_ACTIONS, type JobActionName} from './bulk-actions.js'
import {runBulkAction} from './run-bulk-action.js'

/** What a bulk action is about to change, as shown when asking for confirmation. */
export interface ActionPreview {
  action: JobActionName
  /** Matching jobs the action applies to. */
  total: number
  byState: Partial<Record<JobState, number>>
}

/**
 * The `--json` output of `oban job retry|cancel|delete`. A stable, documented shape (README,
 * "Scripting"). `changedIds`, `notFound` and `notEligible` are about explicit ids; with a filter
 * alone they are `null`, `[]` and `[]` (listing 100k changed ids is not what a script wants).
 */
export interface JobActionResult {
  action: JobActionName
  prefix: string
  /** Jobs that matched and were eligible when counted, before acting. */
  matched: number
  /** True when the confirmation was declined: nothing changed. */
  aborted: boolean
  changed: number
  /** Changed jobs by the state they were in. */
  byState: Partial<Record<JobState, number>>
  /** Executing jobs sent Oban's pkill signal (cancel only; 0 otherwise). */
  signalled: number
  /** Transactions it took (one per batch of up to 1,000 jobs). */
  batches: number
  /** Matching jobs left alone because a node held them locked throughout; run again to include them. */
  skipped: number
  /** Ids are strings of their exact digits (src/job/job-id.ts); `--json` writes them as JSON integers. */
  changedIds: JobId[] | null
  notFound: JobId[]
  /** Explicit ids whose job is in a state the action does not apply to. */
  notEligible: {id: JobId; state: JobState}[]
}

export interface ActOnJobsOptions {
  pool: Pool
  prefix: string
  action: JobActionName
  filter: JobFilter
  /** Asked once the matching jobs are counted (never when none match); false aborts. May throw. */
  confirm?: (preview: ActionPreview) => Promise<boolean>
  onProgress?: (changed: number, total: number) => void
  batchSize?: number
  /** `throw` (default): {@link JobNotFoundError} for explicit ids that do not exist; `return`: listed in `notFound` only. */
  notFound?: 'throw' | 'return'
}

/**
 * Oban's retry_all_jobs, cancel_all_jobs or delete_all_jobs on the jobs that match a filter (and
 * explicit ids), in batches: counts the eligible jobs, asks for confirmation, acts, then accounts
 * for every explicit id. Ids that do not exist are an error ({@link JobNotFoundError}, carrying
 * the result) raised after the others were acted on.
 */
export async function actOnJobs(options: ActOnJobsOptions): Promise<JobActionResult> {
  const action = JOB_ACTIONS[options.action]
  const {pool, prefix, filter} = options
  const byState = await countJobsByState(pool, prefix, filter, action.states, action.outOfAttempts)
  const total = Object.values(byState).reduce((sum, n) => sum + n, 0)
  const result: JobActionResult = {
    action: options.action,
    prefix,
    matched: total,
    aborted: false,
    changed: 0,
    byState: {},
    signalled: 0,
    batches: 0,
    skipped: 0,
    changedIds: filter.ids ? [] : null,
    notFound: [],
    notEligible: [],
  }
  if (total > 0 && options.confirm && !(await options.confirm({action: options.action, total, byState}))) {
    return {...result, aborted: true}
  }
  if (total > 0) {
    const run = await runBulkAction({
      pool,
      prefix,
      action,
      filter,
      batchSize: options.batchSize,
      trackIds: filter.ids !== undefined,
      onProgress: (changed) => options.onProgress?.(changed, total),
    })
    Object.assign(result, {
      changed: run.changed,
      byState: sortStates(run.byState),
      signalled: run.signalled,
      batches: run.batches,
      skipped: run.skipped,
      changedIds: run.changedIds?.sort(compareJobIds) ?? null,
    })
  }
  if (filter.ids) await accountForIds(pool, prefix, filter.ids, result)
  if (result.notFound.length > 0 && options.notFound !== 'return')
    throw new JobNotFoundError(result.notFound, prefix, result)
  return result
}

/** Sorts explicit ids that did not change into not found and not eligible (in their current state). */
async function accountForIds(pool: Pool, prefix: string, ids: readonly JobId[], result: JobActionResult) {
  const changed = new Set(result.changedIds)
  const rest = [...new Set(ids)].filter((id) => !changed.has(id)).sort(compareJobIds)
  if (rest.length === 0) return
  const states = await jobStates(pool, prefix, rest)
  for (const id of rest) {
    const state = states.get(id)
    if (state === undefined) result.notFound.push(id)
    else if (!result.aborted && !JOB_ACTIONS[result.action].states.includes(state)) result.notEligible.push({id, state})
  }
}

function sortStates(byState: Partial<Record<JobState, number>>): Partial<Record<JobState, number>> {
  return Object.fromEntries(JOB_STATES.filter((s) => byState[s] !== undefined).map((s) => [s, byState[s]]))
}

/** `Retried 3 jobs`, for a person and for the not-found error. */
export function describeDone(result: JobActionResult): string {
  const done = JOB_ACTIONS[result.action].done
  return `${done[0]!.toUpperCase()}${done.slice(1)} ${plural(result.changed, 'job')}`
}
