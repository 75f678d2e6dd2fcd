import {createRequire} from 'node:module'
import type msFunction from 'ms'

// `ms` is CommonJS; required, it is its function under every loader. A default import breaks when
// jiti transpiles this file again for a user's plugin or config in a process that has already
// loaded `ms` (tsx, vitest): `_ms.default` is then undefined.
const ms = createRequire(import.meta.url)('ms') as typeof msFunction

/** A duration: milliseconds as a number, or a string such as `500ms`, `10s`, `5m`, `7d`. */
export type Duration = number | string

/**
 * Parses a duration given as milliseconds (a number or a digits-only string) or as a string with a
 * unit (`500ms`, `10s`, `1m`, `2h`, `7d`, `1 week`), returning milliseconds, or a description of
 * what is wrong. `ms` does the unit parsing; this adds the checks a configuration needs.
 */
export function parseDuration(
  value: unknown,
  options: {min?: number} = {},
): {ok: true; ms: number} | {ok: false; reason: string} {
  const min = options.min ?? 1
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
  return {ok: true, ms: result}
}

/** Short human form of a duration in milliseconds (`10s`, `1.5m`, `250ms`). */
export function formatDuration(milliseconds: number): string {
  return ms(milliseconds)
}
