import {formatCount} from './format-count.js'

/**
 * The ranges of every number a user, a config or another node can hand to oban-ts. Each entry
 * point (flags, config and plugin options, library calls, signals and control requests received)
 * checks its values against these, so that no value overflows later: into a 1 ms timer (Node's
 * timers take at most 2^31-1 ms and turn anything longer into 1 ms), into a bigint parameter
 * PostgreSQL refuses, or into a queue that asks for more jobs than a process can hold.
 * README ("Ranges") documents the same table.
 */

/** The longest timer Node runs: 2^31-1 ms, about 24.8 days; longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * The longest age or delay compared in SQL rather than waited for (Pruner's `maxAge`, Lifeline's
 * `rescueAfter`, a snooze): 100 years.
 */
export const MAX_AGE_MS = 3_155_760_000_000

/**
 * The largest queue limit (jobs one node runs at once for one queue). Every running job is a
 * promise, an abort controller and a row fetched in one statement; 10,000 at once in one process
 * is far past what a single Node process runs usefully, and stays well inside int4.
 */
export const MAX_QUEUE_LIMIT = 10_000

/** Oban's priorities: 0 (highest) to 9. */
export const MIN_PRIORITY = 0
export const MAX_PRIORITY = 9

/** PostgreSQL's int4 (`max_attempts`, `attempt`). */
export const MAX_INT4 = 2_147_483_647

/** The largest batch size (stager and Pruner `limit`: rows touched by one statement). */
export const MAX_BATCH = 1_000_000

/** The largest connection pool (PostgreSQL's default `max_connections` is 100). */
export const MAX_POOL_SIZE = 1_000

/** Undefined when `value` is an integer in `[min, max]`; otherwise why not, for a message. */
export function integerProblem(value: unknown, min: number, max: number): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return undefined
  return `expected an integer from ${formatCount(min)} to ${formatCount(max)}, got ${show(value)}`
}

/** Undefined when `value` is a valid queue limit; otherwise why not. */
export function queueLimitProblem(value: unknown): string | undefined {
  return integerProblem(value, 1, MAX_QUEUE_LIMIT)
}

function show(value: unknown): string {
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)
  if (typeof value === 'bigint') return String(value)
  return value === undefined ? 'nothing' : typeof value
}
