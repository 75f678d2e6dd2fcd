import {nextRuns, type NextRuns} from '../cron/next-runs.js'
import {ConfigError} from '../errors.js'

export {formatNextRuns, MAX_NEXT_RUNS, type NextRuns} from '../cron/next-runs.js'

/**
 * `oban cron next`: the next runs of `expression` in `timezone`, after `from` (an ISO 8601 time as
 * given to --from; now when undefined). A bad --from is a ConfigError; a bad expression or zone
 * is a CronExpressionError or CronTimezoneError: all usage errors (exit 2).
 */
export function cronNextRuns(expression: string, options: {timezone: string; count: number; from?: string}): NextRuns {
  const from = options.from === undefined ? undefined : new Date(options.from)
  if (from && Number.isNaN(from.getTime()))
    throw new ConfigError(`--from: expected an ISO 8601 time such as 2024-06-01T00:00:00Z, got ${options.from}`)
  return nextRuns(expression, {timezone: options.timezone, count: options.count, from})
}
