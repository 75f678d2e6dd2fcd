import type {JobState} from './job.js'
import type {JobId} from './job-id.js'

/**
 * Which jobs a query or a bulk action addresses. Every given criterion must hold (AND); the values
 * of one list criterion are alternatives (OR): `{queues: ['a', 'b'], states: ['retryable']}` is
 * "retryable jobs in queue a or b". An empty filter matches every job.
 */
export interface JobFilter {
  ids?: readonly JobId[]
  queues?: readonly string[]
  states?: readonly JobState[]
  workers?: readonly string[]
  /** Jobs having at least one of these tags. */
  tags?: readonly string[]
  /** JSON containment (`args @> ...`): the job's args include these keys with these values, nested. */
  argsContain?: Record<string, unknown>
  /** JSON containment on the job's meta. */
  metaContains?: Record<string, unknown>
}

/** Columns a job list can be sorted by. */
export const JOB_ORDER_FIELDS = ['id', 'inserted_at', 'scheduled_at', 'attempted_at'] as const

export type JobOrderField = (typeof JOB_ORDER_FIELDS)[number]

/** A sort: a column and a direction. Ties are broken by id in the same direction. */
export interface JobOrder {
  field: JobOrderField
  direction: 'asc' | 'desc'
}

/** Newest first, as Oban Web and Oban.Testing list jobs. */
export const DEFAULT_JOB_ORDER: JobOrder = {field: 'id', direction: 'desc'}

/** True when the filter names no criterion at all (it would match every job). */
export function isEmptyFilter(filter: JobFilter): boolean {
  return Object.values(filter).every((value) => value === undefined)
}

/**
 * The filter as command-line flags, for messages a person can re-run:
 * `--queue default --state retryable --args-contains '{"id":1}'`.
 */
export function describeFilter(filter: JobFilter): string {
  const parts: string[] = []
  if (filter.ids) parts.push(`ids ${filter.ids.join(', ')}`)
  const list = (flag: string, values: readonly string[] | undefined) => {
    if (values) parts.push(`--${flag} ${values.join(',')}`)
  }
  list('queue', filter.queues)
  list('state', filter.states)
  list('worker', filter.workers)
  list('tag', filter.tags)
  if (filter.argsContain) parts.push(`--args-contains '${JSON.stringify(filter.argsContain)}'`)
  if (filter.metaContains) parts.push(`--meta-contains '${JSON.stringify(filter.metaContains)}'`)
  return parts.length === 0 ? 'every job' : parts.join(' ')
}
