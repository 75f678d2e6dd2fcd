import type {JobFilter} from '../job/filter.js'
import type {JobState} from '../job/job.js'
import {qualified} from '../db/names.js'

/**
 * The WHERE conditions of a {@link JobFilter}, bound as parameters appended to `values` (so
 * callers can bind their own first). Every condition can use one of Oban's indexes: the
 * (state, queue, ...) index for states and queues, the GIN indexes for args and meta
 * containment, the primary key for ids. Returns `TRUE` for an empty filter.
 */
export function filterConditions(prefix: string, filter: JobFilter, values: unknown[], alias = ''): string {
  const col = (name: string) => `${alias ? `${alias}.` : ''}${name}`
  const bind = (value: unknown) => `$${values.push(value)}`
  const conditions: string[] = []
  if (filter.ids) conditions.push(`${col('id')} = ANY(${bind(filter.ids)}::bigint[])`)
  if (filter.states) conditions.push(`${col('state')} = ANY(${stateArray(prefix, filter.states, values)})`)
  if (filter.queues) conditions.push(`${col('queue')} = ANY(${bind(filter.queues)}::text[])`)
  if (filter.workers) conditions.push(`${col('worker')} = ANY(${bind(filter.workers)}::text[])`)
  if (filter.tags) conditions.push(`${col('tags')} && ${bind(filter.tags)}::text[]`)
  if (filter.argsContain) conditions.push(`${col('args')} @> ${bind(JSON.stringify(filter.argsContain))}::jsonb`)
  if (filter.metaContains) conditions.push(`${col('meta')} @> ${bind(JSON.stringify(filter.metaContains))}::jsonb`)
  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ')
}

/**
 * The condition "the job is in one of `states`, or in one of `outOfAttempts` with no attempt left
 * (`attempt >= max_attempts`)", bound as parameters appended to `values`: which jobs a bulk action
 * applies to. Returns `FALSE` when both are empty.
 */
export function eligibleCondition(
  prefix: string,
  eligible: {states: readonly JobState[]; outOfAttempts?: readonly JobState[]},
  values: unknown[],
  alias = '',
): string {
  const col = (name: string) => `${alias ? `${alias}.` : ''}${name}`
  const conditions: string[] = []
  if (eligible.states.length > 0)
    conditions.push(`${col('state')} = ANY(${stateArray(prefix, eligible.states, values)})`)
  if (eligible.outOfAttempts && eligible.outOfAttempts.length > 0)
    conditions.push(
      `(${col('state')} = ANY(${stateArray(prefix, eligible.outOfAttempts, values)}) AND ${col('attempt')} >= ${col('max_attempts')})`,
    )
  return conditions.length === 0 ? 'FALSE' : `(${conditions.join(' OR ')})`
}

/**
 * A bound array of states cast to the prefix's `oban_job_state` enum. Comparing the column with
 * an enum array (rather than casting the column to text) keeps the state indexes usable.
 */
export function stateArray(prefix: string, states: readonly JobState[], values: unknown[]): string {
  values.push(states)
  return `$${values.length}::${qualified(prefix, 'oban_job_state')}[]`
}
