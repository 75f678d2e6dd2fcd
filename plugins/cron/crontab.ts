import {createHash} from 'node:crypto'
import {z} from 'zod'
import {CronExpressionError, parseCronExpression, type CronExpression} from '../../src/cron/expression.js'
import {isTimezone} from '../../src/cron/schedule.js'
import {JobValidationError} from '../../src/errors.js'
import {normalizeJobSpec, type JobOptions} from '../../src/job/spec.js'
import type {JobArgs} from '../../src/job/job.js'
import {didYouMean} from '../../src/util/suggest.js'
import {describe, isRecord} from '../../src/util/guards.js'

/** The job options an entry may give (any of Oban's `Job.new` options that make sense for cron). */
export type CronJobOptions = Pick<
  JobOptions,
  'queue' | 'priority' | 'maxAttempts' | 'tags' | 'meta' | 'unique' | 'replace'
>

/**
 * An entry as a config writes it, in Oban's tuple shapes or as an object:
 *
 * ```ts
 * ['0 9 * * MON-FRI', 'MyApp.Report']
 * ['@hourly', 'MyApp.Sync', {args: {full: false}, queue: 'sync', name: 'hourly-sync'}]
 * {expression: '*\/5 * * * *', worker: 'MyApp.Poll', priority: 1, timezone: 'Europe/Paris'}
 * ```
 */
export type CrontabInput =
  | readonly [expression: string, worker: string]
  | readonly [expression: string, worker: string, options: CronEntryOptions]
  | ({expression: string; worker: string} & CronEntryOptions)

export type CronEntryOptions = CronJobOptions & {
  args?: JobArgs
  /** The entry's name (`cron_name` in the jobs' meta, `run NAME`); default: a hash of the entry. */
  name?: string
  /** Evaluate this entry in its own timezone instead of the plugin's. */
  timezone?: string
}

/** A validated entry. */
export interface CrontabEntry {
  /** Unique within the crontab; stored as `cron_name`. */
  readonly name: string
  /** Whether the config named it (otherwise the name is a hash of the entry). */
  readonly named: boolean
  readonly expression: CronExpression
  readonly worker: string
  readonly args: JobArgs
  readonly options: CronJobOptions
  /** The entry's own timezone, if it has one. */
  readonly timezone: string | undefined
}

const OPTION_KEYS = [
  'args',
  'queue',
  'priority',
  'maxAttempts',
  'tags',
  'meta',
  'unique',
  'replace',
  'name',
  'timezone',
]
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,127}$/

/**
 * The `crontab` option: a list of entries, each validated as Oban validates a crontab (the
 * expression parses, the options make a valid job), plus unique names. The worker is any name:
 * another node (oban-ts or Elixir) may run it, so a worker this node does not know is only a
 * warning when the plugin starts.
 */
export const crontabOption = z
  .array(z.unknown(), {error: (issue) => `expected a list of crontab entries, got ${describe(issue.input)}`})
  .default([])
  .transform((raw, ctx) => {
    const entries: CrontabEntry[] = []
    const names = new Map<string, number>()
    raw.forEach((input, index) => {
      const result = parseEntry(input)
      if (typeof result === 'string' || Array.isArray(result)) {
        for (const message of [result].flat()) ctx.addIssue({code: 'custom', path: [index], message})
        return
      }
      const first = names.get(result.name)
      if (first !== undefined) {
        const message = result.named
          ? `name ${JSON.stringify(result.name)} is already used by crontab[${first}]: give each entry its own name`
          : `repeats crontab[${first}] (same expression, worker and options): each job would be inserted twice`
        ctx.addIssue({code: 'custom', path: [index], message})
        return
      }
      names.set(result.name, index)
      entries.push(result)
    })
    return entries
  })

/** One entry, or its problems (each a message for `crontab[i]`). */
export function parseEntry(input: unknown): CrontabEntry | string | string[] {
  const shape = entryParts(input)
  if (typeof shape === 'string') return shape
  const {expression: text, worker, options} = shape
  const problems: string[] = []
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.includes(key)) problems.push(`${key}: not a crontab entry option${didYouMean(key, OPTION_KEYS)}`)
  let expression: CronExpression | undefined
  try {
    expression = parseCronExpression(text)
  } catch (error) {
    if (!(error instanceof CronExpressionError)) throw error
    problems.push(`${JSON.stringify(text)}: ${error.reason}`)
  }
  const {args = {}, name, timezone, ...jobOptions} = options as CronEntryOptions
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name)))
    problems.push(
      `name: expected letters, digits and _ . : @ / - (at most 128, starting with a letter or digit), got ${describe(name)}`,
    )
  if (timezone !== undefined && !(typeof timezone === 'string' && isTimezone(timezone)))
    problems.push(`timezone: unknown timezone ${describe(timezone)}: use an IANA name such as Europe/Paris`)
  try {
    normalizeJobSpec({worker, args, ...jobOptions})
  } catch (error) {
    if (!(error instanceof JobValidationError)) throw error
    for (const issue of error.issues) problems.push(`${issue.field}: ${issue.rule}`)
  }
  if (problems.length > 0 || !expression) return problems
  return {
    name: name ?? defaultName(text, worker, {args, timezone, ...jobOptions}),
    named: name !== undefined,
    expression,
    worker,
    args,
    options: jobOptions,
    timezone,
  }
}

function entryParts(input: unknown): {expression: string; worker: string; options: Record<string, unknown>} | string {
  const usage = `expected [expression, worker], [expression, worker, options] or {expression, worker, ...options}, got ${describe(input)}`
  let expression: unknown
  let worker: unknown
  let options: unknown
  if (Array.isArray(input)) {
    if (input.length < 2 || input.length > 3) return usage
    ;[expression, worker, options = {}] = input as unknown[]
  } else if (isRecord(input)) {
    ;({expression, worker, ...options} = input)
  } else return usage
  if (typeof expression !== 'string')
    return `expression: expected a string such as "0 9 * * MON-FRI", got ${describe(expression)}`
  if (typeof worker !== 'string' || worker.trim() === '')
    return `worker: expected a worker name such as "MyApp.Workers.Report", got ${describe(worker)}`
  if (!isRecord(options)) return `options: expected an object of job options, got ${describe(options)}`
  return {expression, worker, options}
}

/**
 * A stable name for an unnamed entry: 8 hex digits of a hash of its expression, worker and
 * options (Oban hashes the same triple with `:erlang.phash2`, which JavaScript cannot reproduce,
 * so Elixir and oban-ts name the same entry differently).
 */
function defaultName(expression: string, worker: string, options: Record<string, unknown>): string {
  return createHash('sha256')
    .update(canonical([expression.trim(), worker, options]))
    .digest('hex')
    .slice(0, 8)
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isRecord(value))
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`
  return JSON.stringify(value) ?? 'null'
}
