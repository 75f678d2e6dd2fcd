import {Cron} from 'croner'
import {ObanError} from '../errors.js'
import {parseCronExpression, type CronExpression} from './expression.js'
import {isUtcZone} from './zoned-time.js'

/** Oban's default timezone for cron entries and the Reindexer's schedule. */
export const DEFAULT_CRON_TIMEZONE = 'Etc/UTC'

/** A timezone that is not an IANA name this runtime knows. A usage error: exit code 2. */
export class CronTimezoneError extends ObanError {
  constructor(readonly timezone: string) {
    super(
      'cron_timezone_invalid',
      `unknown timezone ${JSON.stringify(timezone)}: use an IANA name such as Etc/UTC, Europe/Paris or America/New_York`,
      {exitCode: 2},
    )
  }
}

/** Whether the runtime's time zone database knows `timezone` (an IANA name such as `Europe/Paris`). */
export function isTimezone(timezone: string): boolean {
  if (typeof timezone !== 'string' || timezone.trim() === '') return false
  if (isUtcZone(timezone)) return true
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: timezone})
    return true
  } catch {
    return false
  }
}

/**
 * A parsed expression in a timezone: when it fires. The grammar is ours (src/cron/expression.ts),
 * the calendar arithmetic is croner's, fed a canonical pattern built from the parsed fields, with
 * two options that make it behave as Oban's minute-by-minute evaluation:
 *
 * - `domAndDow`: day of month AND day of week must both match (Oban's rule, not Vixie's OR);
 * - a seconds field written as a step (`*` then `/60`, i.e. second 0): croner then treats every
 *   entry as an "interval job", which skips a local time that a DST change skips and fires on
 *   both occurrences of a local time that a DST change repeats. That is exactly what Oban does,
 *   since it checks every minute whether the local wall clock matches. Without it, croner treats
 *   `30 2 * * *` as a "fixed-time job" that runs at 03:00 on a spring-forward day and once on a
 *   fall-back day, which Oban never does.
 *
 * The equivalence is proven by test/src/cron/schedule.test.ts (a table of expressions and
 * instants, DST changes in Europe/Paris and America/New_York, February 29, both day fields, and
 * next runs checked against a minute-by-minute scan).
 */
export class CronSchedule {
  private readonly cron: Cron | undefined

  constructor(
    readonly expression: CronExpression,
    readonly timezone: string = DEFAULT_CRON_TIMEZONE,
  ) {
    if (!isTimezone(timezone)) throw new CronTimezoneError(timezone)
    // UTC as a fixed offset of 0: croner then reads it with Date's UTC methods instead of Intl
    // (see isUtcZone); with no DST, the interval-job rule above changes nothing for it.
    const zone = isUtcZone(timezone) ? {utcOffset: 0} : {timezone}
    this.cron = expression.reboot
      ? undefined
      : new Cron(cronerPattern(expression), {...zone, domAndDow: true, mode: '6-part'})
  }

  /** Parses `input` (throws CronExpressionError) in `timezone` (throws CronTimezoneError). */
  static parse(input: string, timezone: string = DEFAULT_CRON_TIMEZONE): CronSchedule {
    return new CronSchedule(parseCronExpression(input), timezone)
  }

  get reboot(): boolean {
    return this.expression.reboot
  }

  /**
   * Oban's `now?/2`: whether the minute containing `instant` matches, read on the wall clock of
   * the timezone. Always true for `@reboot` (the plugin decides when it fires).
   */
  matches(instant: Date): boolean {
    if (!this.cron) return true
    return this.cron.match(floorMinute(instant))
  }

  /**
   * The next `count` minutes strictly after `after` at which the expression fires, as UTC
   * instants. Empty for `@reboot`, which has no schedule, and shorter if the expression stops
   * matching (croner looks a few centuries ahead).
   */
  nextRuns(count: number, after: Date = new Date()): Date[] {
    if (!this.cron || count <= 0) return []
    return this.cron.nextRuns(count, after)
  }

  /** The next run strictly after `after`, or undefined (see {@link nextRuns}). */
  nextRun(after: Date = new Date()): Date | undefined {
    return this.nextRuns(1, after)[0]
  }
}

/** The start of the minute that contains `instant`. */
export function floorMinute(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / 60_000) * 60_000)
}

/** The start of the next minute strictly after `instant` (Oban's `interval_to_next_minute`). */
export function nextMinute(instant: Date): Date {
  return new Date(floorMinute(instant).getTime() + 60_000)
}

/** A six-field croner pattern equivalent to the parsed fields: numeric lists only, `*` for a full field. */
function cronerPattern(expression: CronExpression): string {
  const field = (values: ReadonlySet<number>, size: number) =>
    values.size === size ? '*' : [...values].sort((a, b) => a - b).join(',')
  return [
    '*/60',
    field(expression.minutes, 60),
    field(expression.hours, 24),
    field(expression.days, 31),
    field(expression.months, 12),
    field(expression.weekdays, 7),
  ].join(' ')
}
