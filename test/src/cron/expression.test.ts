import {describe, expect, it} from 'vitest'
import {CronExpressionError, isCronExpression, parseCronExpression} from '../../../src/cron/expression.js'

const sorted = (values: ReadonlySet<number>) => [...values].sort((a, b) => a - b)
const range = (from: number, to: number, step = 1) => {
  const out: number[] = []
  for (let v = from; v <= to; v += step) out.push(v)
  return out
}

describe('parseCronExpression (Oban.Cron.Expression.parse)', () => {
  it.each([
    [
      '* * * * *',
      {minutes: range(0, 59), hours: range(0, 23), days: range(1, 31), months: range(1, 12), weekdays: range(0, 6)},
    ],
    ['0 9 * * MON-FRI', {minutes: [0], hours: [9], weekdays: [1, 2, 3, 4, 5]}],
    ['*/15 */6 * * *', {minutes: [0, 15, 30, 45], hours: [0, 6, 12, 18]}],
    // `*/S` starts at the field's minimum: day 1, month 1.
    ['0 0 */10 */5 *', {days: [1, 11, 21, 31], months: [1, 6, 11]}],
    // `A/S` runs from A to the field's maximum; `A-B/S` within the range.
    ['5/20 10-20/5 * * *', {minutes: [5, 25, 45], hours: [10, 15, 20]}],
    ['0,30 8-10,17 * * *', {minutes: [0, 30], hours: [8, 9, 10, 17]}],
    ['0 0 1 JAN,JUL *', {months: [1, 7], days: [1]}],
    ['0 0 * FEB-APR SUN,SAT', {months: [2, 3, 4], weekdays: [0, 6]}],
    ['0 0 29 2 *', {days: [29], months: [2]}],
    ['0 0 31 4,5 *', {days: [31], months: [4, 5]}],
    // A step larger than the field keeps only its start, as Elixir's Enum.take_every.
    ['*/90 * * * *', {minutes: [0]}],
    // Oban splits into at most five fields: whitespace after a comma in the last field is accepted.
    ['0 9 * * 1, 3', {weekdays: [1, 3]}],
    ['  0 9 * * 1  ', {minutes: [0], hours: [9], weekdays: [1]}],
    ['@yearly', {minutes: [0], hours: [0], days: [1], months: [1], weekdays: range(0, 6)}],
    ['@annually', {minutes: [0], hours: [0], days: [1], months: [1]}],
    ['@monthly', {minutes: [0], hours: [0], days: [1], months: range(1, 12)}],
    ['@weekly', {minutes: [0], hours: [0], days: range(1, 31), weekdays: [0]}],
    ['@daily', {minutes: [0], hours: [0], days: range(1, 31)}],
    ['@midnight', {minutes: [0], hours: [0]}],
    ['@hourly', {minutes: [0], hours: range(0, 23)}],
  ])('accepts %j', (input, fields) => {
    const expression = parseCronExpression(input)
    expect(expression.input).toBe(input)
    expect(expression.reboot).toBe(false)
    for (const [field, values] of Object.entries(fields))
      expect(sorted(expression[field as keyof typeof fields] as ReadonlySet<number>), field).toEqual(values)
  })

  it('parses @reboot as a reboot expression without fields', () => {
    const expression = parseCronExpression('@reboot')
    expect(expression.reboot).toBe(true)
    expect(expression.minutes.size).toBe(0)
  })

  it.each([
    ['60 * * * *', 'minute field "60" is out of range 0-59'],
    ['0 24 * * *', 'hour field "24" is out of range 0-23'],
    ['0 0 0 * *', 'day field "0" is out of range 1-31'],
    ['0 0 1 13 *', 'month field "13" is out of range 1-12'],
    // 7 is not Sunday in Oban.
    ['0 0 * * 7', 'weekday field "7" is out of range 0-6'],
    ['0 0 0/5 * *', 'day field "0/5" is out of range 1-31'],
    ['70/5 * * * *', 'minute field "70/5" is out of range 0-59'],
    ['5-1 * * * *', 'left side (5) of a range must be less than or equal to the right side (1)'],
    ['*/0 * * * *', 'unrecognized minute part "*/0" (a step is 1 to 99, after *, A or A-B)'],
    ['*/100 * * * *', 'unrecognized minute part "*/100" (a step is 1 to 99, after *, A or A-B)'],
    ['0 9 * * mon', 'unrecognized weekday part "mon" (month and weekday names are upper case: JAN, MON)'],
    ['0 0 1 jan *', 'unrecognized month part "jan" (month and weekday names are upper case: JAN, MON)'],
    ['0 0 L * *', 'unrecognized day part "L"'],
    ['0 0 ? * *', 'unrecognized day part "?"'],
    ['0 0 * * 1#2', 'unrecognized weekday part "1#2"'],
    ['0 0 15W * *', 'unrecognized day part "15W"'],
    ['0 0 30 2 *', 'no day in "30" can occur in months "2"'],
    ['0 0 31 4,6,9,11 *', 'no day in "31" can occur in months "4,6,9,11"'],
    ['0 0 30,31 FEB *', 'no day in "30,31" can occur in months "FEB"'],
    ['0 9 *', 'expected 5 fields (minute hour day month weekday), got 3'],
    ['0 0 9 * * 1', 'expected 5 fields (minute hour day month weekday), got 6'],
    ['', 'expected 5 fields (minute hour day month weekday), got 0'],
    ['0,,5 * * * *', 'unrecognized minute part ""'],
  ])('refuses %j: %s', (input, reason) => {
    expect(() => parseCronExpression(input)).toThrow(new CronExpressionError(input, reason))
    expect(isCronExpression(input)).toBe(false)
  })

  it('refuses unknown and miswritten nicknames, listing the known ones', () => {
    for (const input of ['@HOURLY', '@every_minute', '@ hourly']) {
      expect(() => parseCronExpression(input)).toThrow(CronExpressionError)
      expect(() => parseCronExpression(input)).toThrow(/nicknames: @annually, @yearly, .*@reboot/)
    }
  })

  it('is a usage error with a stable code', () => {
    try {
      parseCronExpression('61 * * * *')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(CronExpressionError)
      expect(error).toMatchObject({
        code: 'cron_expression_invalid',
        exitCode: 2,
        message: 'invalid cron expression "61 * * * *": minute field "61" is out of range 0-59',
      })
    }
  })
})
