import {z} from 'zod'
import {isTimezone} from '../cron/schedule.js'
import {describe} from '../util/guards.js'

/**
 * zod schemas for options of the maintenance plugins that `durationOption` does not cover. Each
 * error says what was expected and what was given, as durationOption's do.
 */

/** A whole number of at least `min` (default 1), with a default. */
export function countOption(options: {default: number; min?: number}) {
  const min = options.min ?? 1
  const message = (input: unknown) => `expected an integer of at least ${min}, got ${describe(input)}`
  return z
    .number({error: (issue) => message(issue.input)})
    .refine((value) => Number.isInteger(value) && value >= min, {error: (issue) => message(issue.input)})
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
