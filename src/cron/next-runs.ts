import {ConfigError} from '../errors.js'
import {CronSchedule, DEFAULT_CRON_TIMEZONE} from './schedule.js'
import {formatZoned, wallClock, weekdayName} from './zoned-time.js'

/** What `oban cron next` computes and prints (`--json` prints this object). */
export interface NextRuns {
  expression: string
  timezone: string
  /** `@reboot` has no schedule: `runs` is empty. */
  reboot: boolean
  runs: {at: string; local: string}[]
}

/** The most runs one call lists. */
export const MAX_NEXT_RUNS = 1000

/**
 * The next `count` runs of an expression after `from` (default now), computed exactly as the Cron
 * plugin evaluates it, without a database. Throws CronExpressionError, CronTimezoneError or
 * ConfigError (count out of range): usage errors with the reason.
 */
export function nextRuns(expression: string, options: {timezone?: string; count?: number; from?: Date} = {}): NextRuns {
  const timezone = options.timezone ?? DEFAULT_CRON_TIMEZONE
  const count = options.count ?? 5
  if (!Number.isInteger(count) || count < 1 || count > MAX_NEXT_RUNS)
    throw new ConfigError(`count: expected an integer from 1 to ${MAX_NEXT_RUNS}, got ${count}`)
  const schedule = CronSchedule.parse(expression, timezone)
  const runs = schedule.nextRuns(count, options.from ?? new Date())
  return {
    expression,
    timezone,
    reboot: schedule.reboot,
    runs: runs.map((at) => ({at: at.toISOString(), local: formatZoned(at, timezone)})),
  }
}

/**
 * One line per run, the wall clock first: `Mon 2024-06-03 09:00 +02:00  2024-06-03T07:00:00Z`.
 * The offset tells apart the two runs of a local time that a DST change repeats.
 */
export function formatNextRuns(result: NextRuns): string[] {
  if (result.reboot)
    return ['@reboot has no schedule: it fires once each time a node starts leading its instance (Cron plugin).']
  if (result.runs.length === 0) return [`no run found for ${result.expression} in ${result.timezone}`]
  return result.runs.map(({at, local}) => {
    const clock = wallClock(new Date(at), result.timezone)
    const [date, time] = local.split('T') as [string, string]
    const offset = time.slice(8) === 'Z' ? '+00:00' : time.slice(8)
    return `${weekdayName(clock)} ${date} ${time.slice(0, 5)} ${offset}  ${at.replace('.000Z', 'Z')}`
  })
}
