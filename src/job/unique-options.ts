import {describe, isRecord} from '../util/guards.js'
import {parseDuration} from '../util/duration.js'
import type {JobIssue} from '../errors.js'
import {JOB_STATES, type JobState} from './job.js'
import {didYouMean} from '../util/suggest.js'

/*
 * The `unique` and `replace` options of a job, validated and normalised as Oban's `Job.new/2`
 * does (`put_unique`, `validate_unique`, `put_replace`, `validate_replace`). Problems are pushed
 * onto the caller's issue list so that a job reports all of them at once.
 */

export type UniqueField = 'args' | 'meta' | 'queue' | 'worker'
export const UNIQUE_FIELDS: readonly UniqueField[] = ['args', 'meta', 'queue', 'worker']

export type UniqueStateGroup = 'successful' | 'incomplete' | 'scheduled' | 'all'

/** Oban's `Job.unique_states/1` groups. */
export const UNIQUE_STATE_GROUPS: Readonly<Record<UniqueStateGroup, readonly JobState[]>> = {
  successful: ['suspended', 'available', 'scheduled', 'executing', 'retryable', 'completed'],
  incomplete: ['suspended', 'available', 'scheduled', 'executing', 'retryable'],
  scheduled: ['scheduled'],
  all: JOB_STATES,
}

export type UniqueTimestamp = 'inserted_at' | 'scheduled_at'

/** How uniqueness is decided; every option has Oban's default. */
export interface UniqueOptions {
  /** Fields compared (default `['args', 'queue', 'worker']`). */
  fields?: readonly UniqueField[]
  /** Compare only these keys of args/meta (default: the whole map). Needs `args` or `meta` in fields. */
  keys?: readonly string[]
  /** Seconds, a duration string (`'5m'`), or `'infinity'` (default 60). */
  period?: number | string
  /** States in which an existing job counts: a group or a list (default `successful`). */
  states?: UniqueStateGroup | readonly JobState[]
  /** The timestamp the period is measured on (default `inserted_at`). */
  timestamp?: UniqueTimestamp
}

export interface NormalizedUnique {
  fields: UniqueField[]
  keys: string[]
  /** Seconds, or `'infinity'`. */
  period: number | 'infinity'
  states: JobState[]
  timestamp: UniqueTimestamp
}

/** Fields that a unique conflict may copy onto the existing job (Oban's `@replace_options`). */
export type ReplaceField = 'args' | 'maxAttempts' | 'meta' | 'priority' | 'queue' | 'scheduledAt' | 'tags' | 'worker'
export const REPLACE_FIELDS: readonly ReplaceField[] = [
  'args',
  'maxAttempts',
  'meta',
  'priority',
  'queue',
  'scheduledAt',
  'tags',
  'worker',
]

/** A list of fields replaced in every state, or fields per state of the existing job. */
export type ReplaceOption = readonly ReplaceField[] | Partial<Record<JobState, readonly ReplaceField[]>>

/** Fields to replace, per state of the existing job. */
export type NormalizedReplace = Partial<Record<JobState, ReplaceField[]>>

const UNIQUE_KEYS = ['fields', 'keys', 'period', 'states', 'timestamp']
const REPLACE_ALIASES: Record<string, ReplaceField> = {max_attempts: 'maxAttempts', scheduled_at: 'scheduledAt'}
const TIMESTAMP_ALIASES: Record<string, UniqueTimestamp> = {insertedAt: 'inserted_at', scheduledAt: 'scheduled_at'}

/** `true` means every default except an infinite period, as in Oban; `false`/`null` means not unique. */
export function normalizeUnique(value: unknown, issues: JobIssue[]): NormalizedUnique | null {
  if (value === undefined || value === null || value === false) return null
  const unique: NormalizedUnique = {
    fields: ['args', 'queue', 'worker'],
    keys: [],
    period: value === true ? 'infinity' : 60,
    states: [...UNIQUE_STATE_GROUPS.successful],
    timestamp: 'inserted_at',
  }
  if (value === true) return unique
  if (!isRecord(value)) {
    issues.push({field: 'unique', rule: `must be true, false or an object of unique options, got ${describe(value)}`})
    return null
  }
  const before = issues.length
  for (const key of Object.keys(value)) {
    if (!UNIQUE_KEYS.includes(key))
      issues.push({field: `unique.${key}`, rule: `is not a unique option${didYouMean(key, UNIQUE_KEYS)}`})
  }
  const {fields, keys, period, states, timestamp} = value
  if (fields !== undefined) {
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => UNIQUE_FIELDS.includes(f as UniqueField)))
      issues.push({
        field: 'unique.fields',
        rule: `must be a non-empty list of ${UNIQUE_FIELDS.join(', ')}, got ${describe(fields)}`,
      })
    else unique.fields = [...new Set(fields as UniqueField[])]
  }
  if (keys !== undefined) {
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && k !== ''))
      issues.push({field: 'unique.keys', rule: `must be a list of non-empty key names, got ${describe(keys)}`})
    else unique.keys = [...new Set(keys as string[])]
  }
  if (unique.keys.length > 0 && !unique.fields.includes('args') && !unique.fields.includes('meta'))
    issues.push({field: 'unique.keys', rule: 'needs "args" or "meta" in unique.fields'})
  if (period !== undefined) {
    const seconds = parsePeriod(period)
    if (seconds === undefined)
      issues.push({
        field: 'unique.period',
        rule: `must be a positive number of seconds, a duration such as "5m", or "infinity", got ${describe(period)}`,
      })
    else unique.period = seconds
  }
  if (states !== undefined) {
    const resolved = resolveStates(states)
    if (resolved === undefined)
      issues.push({
        field: 'unique.states',
        rule: `must be one of ${Object.keys(UNIQUE_STATE_GROUPS).join(', ')} or a non-empty list of job states, got ${describe(states)}`,
      })
    else unique.states = resolved
  }
  if (timestamp !== undefined) {
    const resolved =
      timestamp === 'inserted_at' || timestamp === 'scheduled_at'
        ? timestamp
        : typeof timestamp === 'string'
          ? TIMESTAMP_ALIASES[timestamp]
          : undefined
    if (resolved === undefined)
      issues.push({
        field: 'unique.timestamp',
        rule: `must be "inserted_at" or "scheduled_at", got ${describe(timestamp)}`,
      })
    else unique.timestamp = resolved
  }
  return issues.length === before ? unique : null
}

/**
 * A flat list applies to every state (Oban's `replace: [:args]`); an object maps the existing
 * job's state to the fields copied from the new job (`replace: [scheduled: [:scheduled_at]]`).
 */
export function normalizeReplace(value: unknown, issues: JobIssue[]): NormalizedReplace | null {
  if (value === undefined || value === null) return null
  const replace: NormalizedReplace = {}
  if (Array.isArray(value)) {
    const fields = replaceFields('replace', value, issues)
    if (fields) for (const state of JOB_STATES) replace[state] = fields
    return fields ? replace : null
  }
  if (!isRecord(value)) {
    issues.push({
      field: 'replace',
      rule: `must be a list of fields or an object of states to fields, got ${describe(value)}`,
    })
    return null
  }
  const before = issues.length
  for (const [state, fields] of Object.entries(value)) {
    if (!JOB_STATES.includes(state as JobState)) {
      issues.push({field: `replace.${state}`, rule: `is not a job state${didYouMean(state, JOB_STATES)}`})
      continue
    }
    const checked = replaceFields(`replace.${state}`, fields, issues)
    if (checked) replace[state as JobState] = checked
  }
  return issues.length === before ? replace : null
}

/** The warning Oban 2.23 gives at compile time for unique states that can never see a duplicate. */
export function uniqueStatesWarning(states: readonly JobState[]): string | undefined {
  if (states.length === 1 && states[0] === 'scheduled') return undefined
  const insertion: JobState[] = ['scheduled', 'available', 'suspended']
  if (!states.some((s) => insertion.includes(s)))
    return `unique states [${states.join(', ')}] include none of ${insertion.join(', ')}: duplicates will not be detected`
  return undefined
}

function replaceFields(field: string, value: unknown, issues: JobIssue[]): ReplaceField[] | undefined {
  const fields: ReplaceField[] = []
  if (!Array.isArray(value)) {
    issues.push({field, rule: `must be a list of ${REPLACE_FIELDS.join(', ')}, got ${describe(value)}`})
    return undefined
  }
  for (const item of value as unknown[]) {
    const name = typeof item === 'string' ? (REPLACE_ALIASES[item] ?? item) : item
    if (REPLACE_FIELDS.includes(name as ReplaceField)) {
      if (!fields.includes(name as ReplaceField)) fields.push(name as ReplaceField)
    } else {
      issues.push({
        field,
        rule: `${describe(item)} cannot be replaced${typeof item === 'string' ? didYouMean(item, REPLACE_FIELDS) : ''}; replaceable fields are ${REPLACE_FIELDS.join(', ')}`,
      })
      return undefined
    }
  }
  return fields
}

function parsePeriod(value: unknown): number | 'infinity' | undefined {
  if (value === 'infinity' || value === Infinity) return 'infinity'
  const seconds = toSeconds(value)
  return seconds !== undefined && seconds > 0 ? seconds : undefined
}

/**
 * Seconds from a number of seconds, a digits-only string (seconds, as Oban's integers) or a
 * duration string with a unit (`'90s'`, `'5m'`, `'1 day'`). Undefined when it is none of these.
 */
export function toSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  const negative = text.startsWith('-')
  // No upper bound here: each caller checks its own range (scheduleIn, snooze, unique period).
  const parsed = parseDuration(negative ? text.slice(1) : text, {min: 0, max: Infinity})
  if (!parsed.ok) return undefined
  return (negative ? -parsed.ms : parsed.ms) / 1000
}

function resolveStates(value: unknown): JobState[] | undefined {
  if (typeof value === 'string') {
    const group = UNIQUE_STATE_GROUPS[value as UniqueStateGroup] as readonly JobState[] | undefined
    return group ? [...group] : undefined
  }
  if (!Array.isArray(value) || value.length === 0) return undefined
  if (!value.every((s) => JOB_STATES.includes(s as JobState))) return undefined
  return [...new Set(value as JobState[])]
}
