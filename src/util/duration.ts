import {createRequire} from 'node:module'
import type msFunction from 'ms'
import {MAX_AGE_MS, MAX_TIMER_MS} from './limits.js'

// `ms` is CommonJS; required, it is its function under every loader. A default import breaks when
// jiti transpiles this file again for a user's plugin or config in a process that has already
// loaded `ms` (tsx, vitest): `_ms.default` is then undefined.
const ms = createRequire(import.meta.url)('ms') as typeof msFunction

/** A duration: milliseconds as a number, or a string such as `500ms`, `10s`, `5m`, `7d`. */
export type Duration = number | string

/**
 * Parses a duration given as milliseconds (a number or a digits-only string) or as a string with a
 * unit (`500ms`, `10s`, `1m`, `2h`, `7d`, `1 week`), returning milliseconds, or a description of
 * what is wrong. `ms` does the unit parsing; this adds the checks a configuration needs: at least
 * `min` (default 1 ms) and at most `max`, which defaults to the longest timer Node can run
 * ({@link MAX_TIMER_MS}, about 24.8 days) because most durations become timers. Ages and delays
 * compared in SQL pass a larger `max` ({@link MAX_AGE_MS}).
 */
export function parseDuration(
  value: unknown,
  options: {min?: number; max?: number} = {},
): {ok: true; ms: number} | {ok: false; reason: string} {
  const min = options.min ?? 1
  const max = options.max ?? MAX_TIMER_MS
  let result: number | undefined
  if (typeof value === 'number') result = value
  else if (typeof value === 'string' && value.trim() !== '') result = ms(value.trim() as msFunction.StringValue)
  if (result === undefined || !Number.isFinite(result)) {
    return {
      ok: false,
      reason: `expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got ${JSON.stringify(value)}`,
    }
  }
  if (!Number.isInteger(result)) result = Math.round(result)
  if (result < min) {
    return {ok: false, reason: `expected a duration of at least ${formatDuration(min)}, got ${JSON.stringify(value)}`}
  }
  if (result > max)
    return {ok: false, reason: `expected a duration of at most ${maxLabel(max)}, got ${JSON.stringify(value)}`}
  return {ok: true, ms: result}
}

/** How a maximum reads in messages: the timer limit and the age limit by their names. */
export function maxLabel(max: number): string {
  if (max === MAX_TIMER_MS) return `24.8 days (${MAX_TIMER_MS}ms, the longest timer Node runs)`
  if (max === MAX_AGE_MS) return '100 years'
  return formatDuration(max)
}

/** Short human form of a duration in milliseconds (`10s`, `1.5m`, `250ms`). */
export function formatDuration(milliseconds: number): string {
  return ms(milliseconds)
}
