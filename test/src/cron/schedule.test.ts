import {describe, expect, it} from 'vitest'
import {parseCronExpression, type CronExpression} from '../../../src/cron/expression.js'
import {CronSchedule, CronTimezoneError, floorMinute, isTimezone, nextMinute} from '../../../src/cron/schedule.js'

/**
 * The equivalence of CronSchedule (croner underneath) with Oban's evaluation: at every minute,
 * read the wall clock in the timezone and require all five fields to match (`now?/2`). The table
 * gives Oban's answer for each expression and instant, worked out by hand; the scans then compare
 * croner's next runs with that rule applied to every minute of a window.
 *
 * DST changes used:
 * - Europe/Paris, spring 2024-03-31: 02:00 CET -> 03:00 CEST at 01:00Z (02:xx does not exist);
 *   fall 2024-10-27: 03:00 CEST -> 02:00 CET at 01:00Z (02:xx happens twice).
 * - America/New_York, spring 2024-03-10: 02:00 EST -> 03:00 EDT at 07:00Z; fall 2024-11-03:
 *   02:00 EDT -> 01:00 EST at 06:00Z (01:xx happens twice).
 */
const TABLE: [expression: string, timezone: string, instant: string, matches: boolean, why: string][] = [
  ['0 9 * * MON-FRI', 'Europe/Paris', '2024-06-03T07:00:00Z', true, 'Monday 09:00 CEST'],
  ['0 9 * * MON-FRI', 'Europe/Paris', '2024-06-03T07:00:42Z', true, 'seconds are ignored'],
  ['0 9 * * MON-FRI', 'Europe/Paris', '2024-06-03T09:00:00Z', false, '09:00 UTC is 11:00 in Paris'],
  ['0 9 * * MON-FRI', 'Europe/Paris', '2024-06-01T07:00:00Z', false, 'Saturday'],
  ['0 9 * * MON-FRI', 'Europe/Paris', '2024-01-08T08:00:00Z', true, 'Monday 09:00 CET (winter offset)'],
  ['0 9 * * MON-FRI', 'Europe/Paris', '2024-01-08T07:00:00Z', false, '08:00 CET'],
  ['0 9 * * MON-FRI', 'Etc/UTC', '2024-06-03T09:00:00Z', true, 'UTC'],
  ['0 9 * * *', 'Asia/Kolkata', '2024-06-03T03:30:00Z', true, 'half-hour offset (+05:30)'],
  // Paris, spring forward: 02:30 does not exist on 2024-03-31.
  ['30 2 * * *', 'Europe/Paris', '2024-03-30T01:30:00Z', true, '02:30 CET the day before'],
  ['30 2 * * *', 'Europe/Paris', '2024-03-31T00:30:00Z', false, '01:30 CET'],
  ['30 2 * * *', 'Europe/Paris', '2024-03-31T01:30:00Z', false, '03:30 CEST: the skipped time never fires'],
  ['30 3 * * *', 'Europe/Paris', '2024-03-31T01:30:00Z', true, '03:30 CEST right after the gap'],
  ['30 2 * * *', 'Europe/Paris', '2024-04-01T00:30:00Z', true, '02:30 CEST the day after'],
  // Paris, fall back: 02:30 happens twice on 2024-10-27.
  ['30 2 * * *', 'Europe/Paris', '2024-10-27T00:30:00Z', true, 'first 02:30 (CEST)'],
  ['30 2 * * *', 'Europe/Paris', '2024-10-27T01:30:00Z', true, 'second 02:30 (CET)'],
  ['30 2 * * *', 'Europe/Paris', '2024-10-27T02:30:00Z', false, '03:30 CET'],
  ['0 * * * *', 'Europe/Paris', '2024-10-27T01:00:00Z', true, 'second 02:00'],
  // New York.
  ['30 2 * * *', 'America/New_York', '2024-03-09T07:30:00Z', true, '02:30 EST'],
  ['30 2 * * *', 'America/New_York', '2024-03-10T07:30:00Z', false, '03:30 EDT: skipped 02:30'],
  ['30 2 * * *', 'America/New_York', '2024-03-11T06:30:00Z', true, '02:30 EDT'],
  ['30 1 * * *', 'America/New_York', '2024-11-03T05:30:00Z', true, 'first 01:30 (EDT)'],
  ['30 1 * * *', 'America/New_York', '2024-11-03T06:30:00Z', true, 'second 01:30 (EST)'],
  ['30 1 * * *', 'America/New_York', '2024-11-03T07:30:00Z', false, '02:30 EST'],
  ['0 0 * * SUN', 'America/New_York', '2024-11-03T04:00:00Z', true, 'midnight EDT, Sunday'],
  ['0 0 * * SUN', 'America/New_York', '2024-11-03T05:00:00Z', false, '01:00 EDT'],
  // February 29.
  ['0 0 29 2 *', 'Etc/UTC', '2024-02-29T00:00:00Z', true, 'leap day'],
  ['0 0 29 2 *', 'Etc/UTC', '2028-02-29T00:00:00Z', true, 'next leap day'],
  ['0 0 29 2 *', 'Etc/UTC', '2025-03-01T00:00:00Z', false, 'no Feb 29 in 2025'],
  ['0 0 29 2 *', 'Etc/UTC', '2024-02-28T00:00:00Z', false, 'Feb 28'],
  ['0 12 29 2 *', 'Europe/Paris', '2024-02-29T11:00:00Z', true, 'leap day noon in Paris'],
  ['0 0 28-31 * *', 'Etc/UTC', '2023-02-28T00:00:00Z', true, 'last day of a short February'],
  // Day of month AND day of week (Vixie cron would OR them).
  ['0 0 13 * FRI', 'Etc/UTC', '2024-09-13T00:00:00Z', true, 'Friday the 13th'],
  ['0 0 13 * FRI', 'Etc/UTC', '2024-10-13T00:00:00Z', false, 'the 13th, a Sunday'],
  ['0 0 13 * FRI', 'Etc/UTC', '2024-09-20T00:00:00Z', false, 'a Friday, the 20th'],
  ['0 0 1,15 * MON', 'Etc/UTC', '2024-01-01T00:00:00Z', true, 'Jan 1 2024, a Monday'],
  ['0 0 1,15 * MON', 'Etc/UTC', '2024-01-15T00:00:00Z', true, 'Jan 15 2024, a Monday'],
  ['0 0 1,15 * MON', 'Etc/UTC', '2024-01-08T00:00:00Z', false, 'a Monday, the 8th'],
  ['0 0 1,15 * MON', 'Etc/UTC', '2024-02-01T00:00:00Z', false, 'the 1st, a Thursday'],
  ['0 0 * * 0', 'Etc/UTC', '2024-06-02T00:00:00Z', true, 'Sunday is 0'],
  ['@weekly', 'Etc/UTC', '2024-06-02T00:00:00Z', true, 'Sunday midnight'],
  ['@weekly', 'Etc/UTC', '2024-06-03T00:00:00Z', false, 'Monday'],
  // Names, steps, lists.
  ['0 0 1 JAN,JUL *', 'Etc/UTC', '2024-07-01T00:00:00Z', true, 'July 1st'],
  ['0 0 1 JAN,JUL *', 'Etc/UTC', '2024-06-01T00:00:00Z', false, 'June 1st'],
  ['5/20 * * * *', 'Etc/UTC', '2024-06-03T10:45:00Z', true, 'A/S reaches 45'],
  ['5/20 * * * *', 'Etc/UTC', '2024-06-03T10:00:00Z', false, 'A/S starts at 5'],
  ['10-30/10 * * * *', 'Etc/UTC', '2024-06-03T10:40:00Z', false, 'A-B/S stops at B'],
  ['*/15 2 * * *', 'Europe/Paris', '2024-10-27T01:45:00Z', true, 'second 02:45'],
  ['@hourly', 'Etc/UTC', '2024-06-03T10:00:00Z', true, 'top of the hour'],
  ['@daily', 'Australia/Sydney', '2024-06-02T14:00:00Z', true, 'midnight AEST'],
  ['@reboot', 'Etc/UTC', '2024-06-03T10:17:00Z', true, '@reboot always matches (the plugin decides)'],
]

describe('CronSchedule.matches: the equivalence table', () => {
  it.each(TABLE)('%s in %s at %s -> %s (%s)', (expression, timezone, instant, matches) => {
    expect(CronSchedule.parse(expression, timezone).matches(new Date(instant))).toBe(matches)
    expect(obanNow(parseCronExpression(expression), timezone, new Date(instant))).toBe(matches)
  })
})

const formats = new Map<string, Intl.DateTimeFormat>()

/** Oban's `now?/2`, written independently of croner: the wall clock's fields, all in their sets. */
function obanNow(expression: CronExpression, timezone: string, instant: Date): boolean {
  if (expression.reboot) return true
  let format = formats.get(timezone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
    formats.set(timezone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value])) as Record<
    string,
    string
  >
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!)
  return (
    expression.months.has(Number(parts.month)) &&
    expression.weekdays.has(weekday) &&
    expression.days.has(Number(parts.day)) &&
    expression.hours.has(Number(parts.hour)) &&
    expression.minutes.has(Number(parts.minute))
  )
}

/** Every minute of [from, to) at which Oban would insert, by evaluating each minute. */
function scan(expression: string, timezone: string, from: string, to: string): string[] {
  const parsed = parseCronExpression(expression)
  const out: string[] = []
  for (let t = Date.parse(from); t < Date.parse(to); t += 60_000)
    if (obanNow(parsed, timezone, new Date(t))) out.push(new Date(t).toISOString())
  return out
}

describe('CronSchedule.nextRuns: the same minutes as a minute-by-minute evaluation', () => {
  const windows: [expression: string, timezone: string, from: string, to: string][] = [
    ['30 2 * * *', 'Europe/Paris', '2024-03-29T00:00:00Z', '2024-04-02T00:00:00Z'],
    ['30 2 * * *', 'Europe/Paris', '2024-10-25T00:00:00Z', '2024-10-29T00:00:00Z'],
    ['*/20 1-3 * * *', 'Europe/Paris', '2024-03-30T00:00:00Z', '2024-04-01T00:00:00Z'],
    ['*/20 1-3 * * *', 'Europe/Paris', '2024-10-26T00:00:00Z', '2024-10-28T00:00:00Z'],
    ['0 9 * * MON-FRI', 'Europe/Paris', '2024-03-25T00:00:00Z', '2024-04-08T00:00:00Z'],
    ['30 2 * * *', 'America/New_York', '2024-03-08T00:00:00Z', '2024-03-12T00:00:00Z'],
    ['30 1 * * *', 'America/New_York', '2024-11-01T00:00:00Z', '2024-11-05T00:00:00Z'],
    ['0 * * * *', 'America/New_York', '2024-11-02T12:00:00Z', '2024-11-03T12:00:00Z'],
    ['0 0 29 2 *', 'Etc/UTC', '2024-02-01T00:00:00Z', '2024-03-15T00:00:00Z'],
    ['0 0 13 * FRI', 'Etc/UTC', '2024-08-25T00:00:00Z', '2024-10-15T00:00:00Z'],
    ['0 0 1,15 * MON', 'Etc/UTC', '2023-12-25T00:00:00Z', '2024-02-20T00:00:00Z'],
  ]

  it.each(windows)('%s in %s from %s to %s', (expression, timezone, from, to) => {
    const expected = scan(expression, timezone, from, to)
    expect(expected.length).toBeGreaterThan(0)
    const schedule = CronSchedule.parse(expression, timezone)
    // Strictly after `from`: start one millisecond earlier so a run at `from` itself counts.
    const runs = schedule
      .nextRuns(expected.length + 1, new Date(Date.parse(from) - 1))
      .map((run) => run.toISOString())
      .filter((run) => run < new Date(to).toISOString())
    expect(runs).toEqual(expected)
  })

  it('finds rare dates years ahead: Feb 29 on a Monday', () => {
    const runs = CronSchedule.parse('0 0 29 2 MON').nextRuns(2, new Date('2024-03-01T00:00:00Z'))
    expect(runs.map((run) => run.toISOString())).toEqual(['2044-02-29T00:00:00.000Z', '2072-02-29T00:00:00.000Z'])
  })

  it('counts strictly after the given instant', () => {
    const schedule = CronSchedule.parse('0 * * * *')
    expect(schedule.nextRun(new Date('2024-06-03T10:00:00Z'))?.toISOString()).toBe('2024-06-03T11:00:00.000Z')
  })

  it('has no runs for @reboot', () => {
    const schedule = CronSchedule.parse('@reboot', 'Europe/Paris')
    expect(schedule.reboot).toBe(true)
    expect(schedule.nextRuns(3)).toEqual([])
    expect(schedule.nextRun()).toBeUndefined()
  })
})

describe('timezones and minutes', () => {
  it('accepts IANA names and refuses the rest', () => {
    for (const zone of ['Etc/UTC', 'UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'])
      expect(isTimezone(zone)).toBe(true)
    for (const zone of ['Mars/Base', '', 'Paris', 'Europe/Pariss']) expect(isTimezone(zone)).toBe(false)
    expect(() => CronSchedule.parse('* * * * *', 'Mars/Base')).toThrow(new CronTimezoneError('Mars/Base'))
  })

  it('floors and advances to minute boundaries', () => {
    expect(floorMinute(new Date('2024-06-03T10:17:42.500Z')).toISOString()).toBe('2024-06-03T10:17:00.000Z')
    expect(nextMinute(new Date('2024-06-03T10:17:42.500Z')).toISOString()).toBe('2024-06-03T10:18:00.000Z')
    expect(nextMinute(new Date('2024-06-03T10:17:00.000Z')).toISOString()).toBe('2024-06-03T10:18:00.000Z')
  })
})
