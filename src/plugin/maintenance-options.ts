import {z} from 'zod'
import {isTimezone} from '../cron/schedule.js'
import {describe} from '../util/guards.js'
import {formatCount} from '../util/format-count.js'
import {MAX_BATCH} from '../util/limits.js'

/**
 * zod schemas for options of the maintenance plugins that `durationOption` does not cover. Each
 * error says what was expected and what was given, as durationOption's do.
 */

/** A whole number from `min` (default 1) to `max` (default {@link MAX_BATCH}), with a default. */
export function countOption(options: {default: number; min?: number; max?: number}) {
  const min = options.min ?? 1
  const max = options.max ?? MAX_BATCH
  const message = (input: unknown) =>
    `expected an integer from ${formatCount(min)} to ${formatCount(max)}, got ${describe(input)}`
  return z
    .number({error: (issue) => message(issue.input)})
    .refine((value) => Number.isInteger(value) && value >= min && value <= max, {
      error: (issue) => message(issue.input),
    })
    .default(options.default)
}

/** An IANA timezone name the runtime knows, e.g. `Europe/Paris`. */
export function timezoneOption() {
  return z
    .string({error: (issue) => `expected an IANA timezone name such as Europe/Paris, got ${describe(issue.input)}`})
    .refine(isTimezone, {
      error: (issue) =>
        `unknown timezone ${describe(issue.input)}: use an IANA name such as Etc/UTC, Europe/Paris or America/New_York`,
    })
}
