import {JobValidationError, type JobIssue} from '../errors.js'
import type {JobId} from './job-id.js'
import type {Job, JobArgs} from './job.js'
import {didYouMean} from '../util/suggest.js'
import {
  normalizeReplace,
  normalizeUnique,
  toSeconds,
  type NormalizedReplace,
  type NormalizedUnique,
  type ReplaceField,
  type ReplaceOption,
  type UniqueOptions,
} from './unique-options.js'
import {describe, isRecord} from '../util/guards.js'
import {QUEUE_NAME_RULE, isQueueName} from '../util/queue-name.js'
import {MAX_INT4} from '../util/limits.js'

export type {NormalizedReplace, NormalizedUnique, ReplaceField, ReplaceOption, UniqueOptions} from './unique-options.js'

/**
 * The input of an insert: Oban's `Job.new(args, opts)` as one object. Everything but `worker` is
 * optional and takes Oban's default (queue `default`, priority 0, 20 attempts, available now).
 */
export interface JobSpec<Args extends JobArgs = JobArgs> {
  /** The worker name as stored and shared with other nodes, e.g. `MyApp.Workers.Email`. */
  worker: string
  /** A plain JSON object (default `{}`). Stored as jsonb: perform sees it after a JSON round trip. */
  args?: Args
  queue?: string
  /** 0 (highest, the default) to 9. */
  priority?: number
  /** At least 1 (default 20). */
  maxAttempts?: number
  /** Run at (or after) this time; the job is inserted `scheduled`. */
  scheduledAt?: Date
  /** Run in this many SECONDS (as Oban's `schedule_in`), or a duration with a unit (`'10s'`, `'5m'`). */
  scheduleIn?: number | string
  /** Trimmed, downcased, empty ones dropped and duplicates removed, as Oban does. */
  tags?: readonly string[]
  meta?: Record<string, unknown>
  /** `true` (defaults, infinite period), an options object, or false/null for none. */
  unique?: true | false | null | UniqueOptions
  /** Fields copied onto the existing job on a unique conflict. */
  replace?: ReplaceOption | null
}

/** Every option of a job but its worker and args: what workers and `Worker.new` merge. */
export type JobOptions = Omit<JobSpec, 'worker' | 'args'>

/** The columns of one row to insert, validated. */
export interface JobInsert {
  worker: string
  queue: string
  args: JobArgs
  /** `args` as stored: the insert statements send this text rather than serialising again. */
  argsJson: string
  meta: Record<string, unknown>
  metaJson: string
  tags: string[]
  priority: number
  maxAttempts: number
  state: 'available' | 'scheduled'
  /** Null means "now" by the database clock (the column default). */
  scheduledAt: Date | null
  /**
   * Set when the spec gave `scheduleIn`: its seconds. The insert computes `scheduled_at` as the
   * database's now plus these seconds, with microseconds as Oban's `schedule_in` stores them;
   * `scheduledAt` is then this process's estimate (milliseconds), used for validation and for
   * jobs built without reading the row back.
   */
  scheduleIn?: number
}

/**
 * The job a freshly inserted (or, with a null id, an unsaved) row holds: the spec's values plus
 * the defaults of a new row (no attempt, no errors). Saves reading every column back.
 */
export function newJob<Id extends JobId | null>(job: JobInsert, id: Id, insertedAt: Date): Omit<Job, 'id'> & {id: Id} {
  return {
    id,
    state: job.state,
    queue: job.queue,
    worker: job.worker,
    args: job.args,
    meta: job.meta,
    tags: job.tags,
    errors: [],
    attempt: 0,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    insertedAt,
    scheduledAt:
      job.scheduleIn === undefined
        ? (job.scheduledAt ?? insertedAt)
        : new Date(insertedAt.getTime() + Math.round(job.scheduleIn * 1000)),
    attemptedAt: null,
    completedAt: null,
    discardedAt: null,
    cancelledAt: null,
    attemptedBy: null,
  }
}

/** A validated job spec: the row, plus how to treat an existing duplicate. */
export interface NormalizedJobSpec extends JobInsert {
  unique: NormalizedUnique | null
  replace: NormalizedReplace | null
  /**
   * The fields given explicitly (Oban's changeset changes; args and worker always are): only
   * these are copied by `replace`, so a replace never resets a field to a default.
   */
  given: ReadonlySet<ReplaceField>
}

// Options a replace may copy, in the order of the bits of a `given` mask (args and worker are always given).
const GIVEN_OPTIONS = ['queue', 'priority', 'maxAttempts', 'tags', 'meta', 'scheduledAt'] as const
/**
 * One set per combination of given options, shared by every spec with that combination: a Set per
 * spec was a visible share of a large insertAll (its allocation, and copying it while the batch is
 * alive). The sets are never written after they are made.
 */
const givenSets = new Map<number, ReadonlySet<ReplaceField>>()
/** `scheduleIn` gives `scheduledAt`: the same bit. */
const SCHEDULED_AT_BIT = 1 << GIVEN_OPTIONS.indexOf('scheduledAt')

function givenFields(s: Record<string, unknown>): ReadonlySet<ReplaceField> {
  let mask = 0
  for (let i = 0; i < GIVEN_OPTIONS.length; i++) if (s[GIVEN_OPTIONS[i]!] !== undefined) mask |= 1 << i
  if (s.scheduleIn !== undefined) mask |= SCHEDULED_AT_BIT
  let given = givenSets.get(mask)
  if (given === undefined) {
    given = new Set<ReplaceField>(['args', 'worker', ...GIVEN_OPTIONS.filter((_, i) => (mask & (1 << i)) !== 0)])
    givenSets.set(mask, given)
  }
  return given
}

export const JOB_SPEC_KEYS: readonly string[] = [
  'worker',
  'args',
  'queue',
  'priority',
  'maxAttempts',
  'scheduledAt',
  'scheduleIn',
  'tags',
  'meta',
  'unique',
  'replace',
]
const SPEC_KEYS: ReadonlySet<string> = new Set(JOB_SPEC_KEYS)

/** Queue and worker names are at most 127 characters (the `queue_length`/`worker_length` checks). */
const MAX_NAME = 127

/**
 * Merges job options as Oban's `Worker.merge_opts/2`: `options` wins key by key, except that two
 * `unique` objects are merged key by key. An undefined value counts as absent.
 */
export function mergeJobOptions<T extends JobOptions>(base: JobOptions, options: T): T {
  const merged: Record<string, unknown> = {...base}
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue
    const previous = merged[key]
    merged[key] = key === 'unique' && isRecord(previous) && isRecord(value) ? {...previous, ...value} : value
  }
  return merged as T
}

/**
 * Validates a job spec and returns the row to insert, with Oban's defaults and coercions
 * applied. `defaults` (a worker's options) are merged under the spec as `Worker.new` does; `now`
 * is the clock `scheduleIn` counts from. Throws {@link JobValidationError} listing every problem.
 */
export function normalizeJobSpec(
  spec: unknown,
  defaults?: JobOptions,
  options: {now?: Date; field?: string} = {},
): NormalizedJobSpec {
  const issues: JobIssue[] = []
  const result = checkJobSpec(spec, defaults, options.now ?? new Date(), issues)
  if (!result) {
    const prefix = options.field ? `${options.field}.` : ''
    throw new JobValidationError(issues.map((i) => ({field: prefix + i.field, rule: i.rule})))
  }
  return result
}

/** As {@link normalizeJobSpec}, pushing problems onto `issues` and returning undefined instead of throwing. */
export function checkJobSpec(
  spec: unknown,
  defaults: JobOptions | undefined,
  now: Date,
  issues: JobIssue[],
): NormalizedJobSpec | undefined {
  if (!isRecord(spec)) {
    issues.push({
      field: 'job',
      rule: `must be an object such as {worker: "MyApp.Worker", args: {}}, got ${describe(spec)}`,
    })
    return undefined
  }
  const before = issues.length
  for (const key in spec) {
    if (Object.hasOwn(spec, key) && !SPEC_KEYS.has(key))
      issues.push({field: key, rule: `is not a job option${didYouMean(key, JOB_SPEC_KEYS)}`})
  }
  const s: Record<string, unknown> = defaults ? mergeJobOptions(defaults, spec) : spec
  const given = givenFields(s)

  const worker = checkName('worker', s.worker, undefined, issues)
  const queue = checkQueue(s.queue, issues)
  const args = checkJsonObject('args', s.args, issues)
  const meta = checkJsonObject('meta', s.meta, issues)
  const priority = checkInteger('priority', s.priority, 0, 0, 9, 'an integer from 0 to 9', issues)
  const maxAttempts = checkInteger(
    'maxAttempts',
    s.maxAttempts,
    20,
    1,
    MAX_INT4,
    'an integer from 1 to 2147483647',
    issues,
  )
  const tags = checkTags(s.tags, issues)
  const schedule = checkSchedule(s.scheduledAt, s.scheduleIn, now, issues)
  const unique = normalizeUnique(s.unique, issues)
  const replace = normalizeReplace(s.replace, issues)
  if (issues.length > before) return undefined
  const normalized: NormalizedJobSpec = {
    worker: worker!,
    queue: queue!,
    args: args!.value,
    argsJson: args!.json,
    meta: meta!.value,
    metaJson: meta!.json,
    tags: tags!,
    priority: priority!,
    maxAttempts: maxAttempts!,
    state: schedule ? 'scheduled' : 'available',
    scheduledAt: schedule?.at ?? null,
    unique,
    replace,
    given,
  }
  if (schedule?.inSeconds !== undefined) normalized.scheduleIn = schedule.inSeconds
  return normalized
}

function checkName(
  field: string,
  value: unknown,
  fallback: string | undefined,
  issues: JobIssue[],
): string | undefined {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME) {
    const rule =
      value === undefined ? 'is required' : `must be a string of 1 to ${MAX_NAME} characters, got ${describe(value)}`
    issues.push({field, rule})
    return undefined
  }
  return value
}

function checkQueue(value: unknown, issues: JobIssue[]): string | undefined {
  if (value === undefined) return 'default'
  if (isQueueName(value)) return value
  issues.push({field: 'queue', rule: `must be a queue name of ${QUEUE_NAME_RULE}, got ${describe(value)}`})
  return undefined
}

function checkInteger(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  what: string,
  issues: JobIssue[],
): number | undefined {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value
  issues.push({field, rule: `must be ${what}, got ${describe(value)}`})
  return undefined
}

/**
 * A plain object, serialised once. The value perform will see is the parsed serialisation, so
 * dates become strings and undefined properties disappear here rather than after a retry.
 */
function checkJsonObject(
  field: string,
  value: unknown,
  issues: JobIssue[],
): {value: Record<string, unknown>; json: string} | undefined {
  if (value === undefined) return {value: {}, json: '{}'}
  const proto = isRecord(value) ? (Object.getPrototypeOf(value) as unknown) : undefined
  if (proto !== Object.prototype && proto !== null) {
    issues.push({field, rule: `must be a plain JSON object, got ${describe(value)}`})
    return undefined
  }
  let json: string
  try {
    json = JSON.stringify(value)
  } catch (error) {
    issues.push({field, rule: `must be serialisable as JSON: ${(error as Error).message}`})
    return undefined
  }
  // PostgreSQL's jsonb rejects the NUL character; JSON.stringify writes it as \u0000.
  if (json.includes('\\u0000') && /(?:^|[^\\])(?:\\\\)*\\u0000/.test(json)) {
    issues.push({field, rule: 'must not contain the NUL character (\\u0000), which PostgreSQL jsonb cannot store'})
    return undefined
  }
  return {value: JSON.parse(json) as Record<string, unknown>, json}
}

function checkTags(value: unknown, issues: JobIssue[]): string[] | undefined {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string' || typeof t === 'number')) {
    issues.push({field: 'tags', rule: `must be a list of strings, got ${describe(value)}`})
    return undefined
  }
  const tags = value.map((t) => String(t).trim().toLowerCase()).filter((t) => t !== '')
  return [...new Set(tags)]
}

function checkSchedule(
  at: unknown,
  scheduleIn: unknown,
  now: Date,
  issues: JobIssue[],
): {at: Date; inSeconds?: number} | undefined {
  if (at !== undefined && scheduleIn !== undefined) {
    issues.push({field: 'scheduleIn', rule: 'cannot be combined with scheduledAt: give one of them'})
    return undefined
  }
  if (at !== undefined) {
    if (at instanceof Date && !Number.isNaN(at.getTime())) return {at}
    issues.push({field: 'scheduledAt', rule: `must be a valid Date, got ${describe(at)}`})
    return undefined
  }
  if (scheduleIn === undefined) return undefined
  const seconds = toSeconds(scheduleIn)
  if (seconds === undefined) {
    issues.push({
      field: 'scheduleIn',
      rule: `must be a number of seconds or a duration such as "10s", "5m" or "2h", got ${describe(scheduleIn)}`,
    })
    return undefined
  }
  const scheduledAt = new Date(now.getTime() + Math.round(seconds * 1000))
  // PostgreSQL's timestamps end in the year 294276, JavaScript's dates sooner; stay far below both.
  if (Number.isNaN(scheduledAt.getTime()) || scheduledAt.getUTCFullYear() > 9999) {
    issues.push({field: 'scheduleIn', rule: `must end before the year 10000, got ${describe(scheduleIn)}`})
    return undefined
  }
  return {at: scheduledAt, inSeconds: seconds}
}
