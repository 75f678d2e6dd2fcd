import {Flags} from '@oclif/core'
import {toJobId, type JobId} from '../job/job-id.js'
import {JOB_ORDER_FIELDS, type JobFilter, type JobOrder, type JobOrderField} from '../job/filter.js'
import {JOB_STATES, type JobState} from '../job/job.js'
import {JobFilterError} from '../errors.js'
import {formatCount} from '../util/format-count.js'
import {integerProblem, MAX_BATCH} from '../util/limits.js'
import {didYouMean} from '../util/suggest.js'

const list = (summary: string, helpValue: string) =>
  Flags.string({
    summary: `${summary} Comma-separated or repeated: any of them.`,
    multiple: true,
    delimiter: ',',
    helpValue,
  })

/** The filter flags shared by `oban job list` and the bulk actions (all given must hold). */
export const jobFilterFlags = {
  queue: list('Only jobs in this queue.', 'QUEUE'),
  state: list(`Only jobs in this state (${JOB_STATES.join(', ')}).`, 'STATE'),
  worker: list('Only jobs of this worker, e.g. MyApp.Workers.Email.', 'WORKER'),
  tag: list('Only jobs with this tag.', 'TAG'),
  'args-contains': Flags.string({
    summary: 'Only jobs whose args contain this JSON object (nested keys and values, as args @> JSON).',
    helpValue: 'JSON',
  }),
  'meta-contains': Flags.string({
    summary: 'Only jobs whose meta contains this JSON object.',
    helpValue: 'JSON',
  }),
}

export interface FilterFlagValues {
  queue?: string[]
  state?: string[]
  worker?: string[]
  tag?: string[]
  'args-contains'?: string
  'meta-contains'?: string
}

/**
 * Builds and checks a {@link JobFilter} from the flags (and explicit ids): every state must be
 * one of Oban's (with a suggestion for a typo), JSON must be an object, no value may be empty.
 * Throws {@link JobFilterError} (exit code 2) before anything connects.
 */
export function parseJobFilter(flags: FilterFlagValues, ids?: readonly string[]): JobFilter {
  const filter: JobFilter = {}
  if (ids && ids.length > 0) filter.ids = ids.map(parseId)
  if (flags.queue) filter.queues = nonEmpty('queue', flags.queue)
  if (flags.state) filter.states = nonEmpty('state', flags.state).map(parseState)
  if (flags.worker) filter.workers = nonEmpty('worker', flags.worker)
  if (flags.tag) filter.tags = nonEmpty('tag', flags.tag)
  if (flags['args-contains'] !== undefined) filter.argsContain = parseObject('args-contains', flags['args-contains'])
  if (flags['meta-contains'] !== undefined) filter.metaContains = parseObject('meta-contains', flags['meta-contains'])
  return filter
}

/** What `oban job list` asks for. */
export interface JobListQuery {
  filter: JobFilter
  order: JobOrder
  limit: number
}

/** The flags of `oban job list`, checked (filter, then --order, then --limit) before anything connects. */
export function parseJobListFlags(flags: FilterFlagValues & {order: string; limit: number}): JobListQuery {
  const filter = parseJobFilter(flags)
  return {filter, order: parseJobOrder(flags.order), limit: parseLimit(flags.limit)}
}

/** A job id: a positive integer within PostgreSQL's bigint, kept as its exact digits (InvalidJobIdError). */
export function parseId(text: string): JobId {
  return toJobId(text)
}

/**
 * `--order FIELD`: a column, ascending; descending with a leading `-` (`--order=-id`: after a
 * space, oclif would read `-id` as a flag) or a `:desc` suffix (`--order id:desc`).
 */
export function parseJobOrder(text: string): JobOrder {
  const suffix = /^(.*):(asc|desc)$/.exec(text)
  const descending = suffix ? suffix[2] === 'desc' : text.startsWith('-')
  const field = suffix ? suffix[1]! : text.replace(/^-/, '')
  if (!(JOB_ORDER_FIELDS as readonly string[]).includes(field)) {
    const choices = JOB_ORDER_FIELDS.flatMap((f) => [f, `-${f}`])
    throw new JobFilterError(
      `invalid --order ${JSON.stringify(text)}${didYouMean(text, choices)}: use one of ${JOB_ORDER_FIELDS.join(', ')}, descending as --order=-FIELD or --order FIELD:desc`,
    )
  }
  return {field: field as JobOrderField, direction: descending ? 'desc' : 'asc'}
}

/** `--limit`: an integer from 1 to {@link MAX_BATCH}. */
export function parseLimit(value: number): number {
  if (integerProblem(value, 1, MAX_BATCH) !== undefined)
    throw new JobFilterError(`invalid --limit ${value}: it must be an integer from 1 to ${formatCount(MAX_BATCH)}`)
  return value
}

function parseState(text: string): JobState {
  if ((JOB_STATES as readonly string[]).includes(text)) return text as JobState
  throw new JobFilterError(
    `unknown state "${text}"${didYouMean(text, JOB_STATES)}; the states are ${JOB_STATES.join(', ')}`,
  )
}

function nonEmpty(flag: string, values: string[]): string[] {
  const trimmed = values.map((value) => value.trim())
  if (trimmed.some((value) => value === '')) throw new JobFilterError(`--${flag} needs a value, got an empty one`)
  return [...new Set(trimmed)]
}

function parseObject(flag: string, text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new JobFilterError(`--${flag} must be a JSON object: ${(error as Error).message}, in ${text}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new JobFilterError(`--${flag} must be a JSON object such as '{"id": 1}', got ${text}`)
  return value as Record<string, unknown>
}
