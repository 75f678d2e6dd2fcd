import {ObanError} from '../errors.js'
import {toSeconds} from './unique-options.js'
import {describe} from '../util/guards.js'
import {MAX_AGE_MS} from '../util/limits.js'

/*
 * What perform may return, after Oban's `perform/1` results (§6.3 of the spec): `:ok`/`{:ok, v}`,
 * `{:error, r}`, `{:cancel, r}`, `{:discard, r}` and `{:snooze, s}`. Results are plain objects
 * branded with a global symbol rather than class instances, because a user's worker module may
 * load a second copy of this module (jiti, bundlers, a linked package): `instanceof` would fail
 * across copies, a `Symbol.for` brand does not.
 */

const RESULT = Symbol.for('oban-ts.result')

/** What marks a value as a job result, across copies of this module. */
export interface JobResultBrand {
  readonly [RESULT]: true
}

/** Success; `value` is kept for telemetry. */
export interface OkResult extends JobResultBrand {
  readonly kind: 'ok'
  readonly value: unknown
}

/** A failure: retried after the backoff, or discarded when out of attempts. */
export interface ErrorResult extends JobResultBrand {
  readonly kind: 'error'
  readonly reason: unknown
}

/** Stop for good: the job is cancelled, with the reason recorded in its errors. */
export interface CancelResult extends JobResultBrand {
  readonly kind: 'cancel'
  readonly reason: unknown
}

/** Deprecated in Oban in favour of cancel, still honoured: the job is discarded with the reason. */
export interface DiscardResult extends JobResultBrand {
  readonly kind: 'discard'
  readonly reason: unknown
}

/** Run again in `seconds` without counting the attempt against the job. */
export interface SnoozeResult extends JobResultBrand {
  readonly kind: 'snooze'
  readonly seconds: number
}

export type JobResult = OkResult | ErrorResult | CancelResult | DiscardResult | SnoozeResult

const KINDS = new Set<string>(['ok', 'error', 'cancel', 'discard', 'snooze'])

/** Success, optionally with a value (Oban's `{:ok, value}`). */
export function ok(value?: unknown): OkResult {
  return Object.freeze({[RESULT]: true as const, kind: 'ok' as const, value})
}

/** A failure with a reason (Oban's `{:error, reason}`): retried with backoff until attempts run out. */
export function error(reason: unknown): ErrorResult {
  return Object.freeze({[RESULT]: true as const, kind: 'error' as const, reason})
}

/** Cancels the job (Oban's `{:cancel, reason}`). */
export function cancel(reason: unknown): CancelResult {
  return Object.freeze({[RESULT]: true as const, kind: 'cancel' as const, reason})
}

/** Discards the job (Oban's deprecated `{:discard, reason}`; prefer {@link cancel}). */
export function discard(reason?: unknown): DiscardResult {
  return Object.freeze({[RESULT]: true as const, kind: 'discard' as const, reason})
}

/**
 * Snoozes the job for a number of seconds, or a duration with a unit (`'30s'`, `'5m'`). Throws
 * when the period is not a non-negative duration, which perform then reports as a failure.
 */
export function snooze(period: number | string): SnoozeResult {
  const seconds = toSeconds(period)
  if (seconds === undefined || seconds < 0 || seconds * 1000 > MAX_AGE_MS)
    throw new ObanError(
      'result_invalid',
      `snooze expects a number of seconds from 0 to 100 years or a duration such as "30s", got ${describe(period)}`,
    )
  return Object.freeze({[RESULT]: true as const, kind: 'snooze' as const, seconds})
}

/** Whether a value is a result made by one of the constructors above (of any copy of this module). */
export function isJobResult(value: unknown): value is JobResult {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as Partial<JobResultBrand>)[RESULT] === true &&
    KINDS.has((value as {kind?: string}).kind ?? '')
  )
}

/**
 * Normalises what perform returned: a result passes through; anything else (undefined, a value)
 * is success, as Oban treats unexpected returns as success.
 */
export function toJobResult(value: unknown): JobResult {
  return isJobResult(value) ? value : ok(value)
}
