import {ObanError} from '../errors.js'

/**
 * Oban's cron expressions (`Oban.Cron.Expression`, reference/oban-spec.md §4.5), parsed by hand
 * because their grammar is narrower than any library's and a crontab shared in spirit with Elixir
 * nodes must accept and refuse the same expressions:
 *
 * - five fields: minute 0-59, hour 0-23, day 1-31, month 1-12 (or `JAN`-`DEC`), weekday 0-6 (or
 *   `SUN`-`SAT`; 7 is not Sunday), names in upper case only;
 * - parts separated by commas: `*`, `N`, a star with a step (`*` then `/S`), `A-B`, `A-B/S` and `A/S`
 *   (from A to the field's maximum), with a step S from 1 to 99;
 * - nicknames `@yearly`/`@annually`, `@monthly`, `@weekly` (Sunday), `@daily`/`@midnight`,
 *   `@hourly` and `@reboot`; no seconds, no `L`, `W`, `#` or `?`;
 * - a day and month combination that can never occur is refused (`30 2`; February has 29 days).
 *
 * Matching (src/cron/schedule.ts) is an AND of all five fields, day of month AND day of week, as
 * Oban's `now?/2`, unlike Vixie cron's OR.
 */
export interface CronExpression {
  /** The expression as written, e.g. `0 9 * * MON-FRI` (Oban's `cron_expr`). */
  readonly input: string
  /** `@reboot`: no fields; it fires once when a node first leads (see the Cron plugin). */
  readonly reboot: boolean
  readonly minutes: ReadonlySet<number>
  readonly hours: ReadonlySet<number>
  readonly days: ReadonlySet<number>
  readonly months: ReadonlySet<number>
  /** 0 is Sunday. */
  readonly weekdays: ReadonlySet<number>
}

/** An expression Oban would refuse, with the reason. A usage error: exit code 2 on the CLI. */
export class CronExpressionError extends ObanError {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super('cron_expression_invalid', `invalid cron expression ${JSON.stringify(expression)}: ${reason}`, {exitCode: 2})
  }
}

interface Range {
  readonly name: string
  readonly min: number
  readonly max: number
}

const MINUTE: Range = {name: 'minute', min: 0, max: 59}
const HOUR: Range = {name: 'hour', min: 0, max: 23}
const DAY: Range = {name: 'day', min: 1, max: 31}
const MONTH: Range = {name: 'month', min: 1, max: 12}
const WEEKDAY: Range = {name: 'weekday', min: 0, max: 6}

const NICKNAMES: Readonly<Record<string, string>> = {
  '@annually': '0 0 1 1 *',
  '@yearly': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@midnight': '0 0 * * *',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']
/** The longest each month can be (February in a leap year), for the impossible-date check. */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Whether a string parses as a cron expression (see {@link parseCronExpression}). */
export function isCronExpression(input: string): boolean {
  try {
    parseCronExpression(input)
    return true
  } catch {
    return false
  }
}

/**
 * Parses an expression as Oban does, or throws {@link CronExpressionError} with Oban's reason
 * (out of range, unrecognized part, reversed range, impossible day and month, wrong number of
 * fields). Surrounding whitespace is ignored; nicknames must be written exactly.
 */
export function parseCronExpression(input: string): CronExpression {
  if (typeof input !== 'string') throw new CronExpressionError(String(input), 'expected a string')
  const trimmed = input.trim()
  if (trimmed === '@reboot') {
    const none = new Set<number>()
    return {input, reboot: true, minutes: none, hours: none, days: none, months: none, weekdays: none}
  }
  const expanded = NICKNAMES[trimmed] ?? trimmed
  try {
    return {input, reboot: false, ...parseFields(expanded)}
  } catch (error) {
    if (!(error instanceof FieldError)) throw error
    // A sixth field (seconds, years) ends up glued to the fifth, as in Oban; say what is wrong.
    const count = expanded === '' ? 0 : expanded.split(/\s+/).length
    const reason =
      count === 5 || (count > 5 && !/\s/.test(error.part))
        ? error.message
        : `expected 5 fields (minute hour day month weekday), got ${count}${trimmed.startsWith('@') ? ` (nicknames: ${[...Object.keys(NICKNAMES), '@reboot'].join(', ')})` : ''}`
    throw new CronExpressionError(input, reason)
  }
}

class FieldError extends Error {
  constructor(
    message: string,
    readonly part = '',
  ) {
    super(message)
  }
}

function parseFields(expression: string): Omit<CronExpression, 'input' | 'reboot'> {
  // Oban's `String.split(input, ~r/\s+/, trim: true, parts: 5)`: the rest stays in the last field.
  const fields = splitParts(expression, 5)
  if (fields.length !== 5) throw new FieldError('wrong number of fields')
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string]
  const days = parseField(day, DAY)
  const months = parseField(translate(month, MONTH_NAMES, 1), MONTH)
  if (day !== '*' && month !== '*' && ![...months].some((m) => [...days].some((d) => d <= MAX_DAYS[m - 1]!)))
    throw new FieldError(`no day in ${JSON.stringify(day)} can occur in months ${JSON.stringify(month)}`)
  return {
    minutes: parseField(minute, MINUTE),
    hours: parseField(hour, HOUR),
    days,
    months,
    weekdays: parseField(translate(weekday, WEEKDAY_NAMES, 0), WEEKDAY),
  }
}

function splitParts(text: string, limit: number): string[] {
  const parts: string[] = []
  let rest = text
  while (parts.length < limit - 1) {
    const match = /\s+/.exec(rest)
    if (!match) break
    parts.push(rest.slice(0, match.index))
    rest = rest.slice(match.index + match[0].length)
  }
  if (rest !== '') parts.push(rest)
  return parts
}

/** Replaces upper-case names by their numbers, as Oban's `trans_field` (`MON-FRI` -> `1-5`). */
function translate(field: string, names: readonly string[], first: number): string {
  return names.reduce((text, name, index) => text.replaceAll(name, String(first + index)), field)
}

function parseField(field: string, range: Range): Set<number> {
  const values = new Set<number>()
  for (const part of field.split(/\s*,\s*/)) for (const value of parsePart(part, range)) values.add(value)
  if ([...values].some((value) => value < range.min || value > range.max))
    throw new FieldError(`${range.name} field ${JSON.stringify(field)} is out of range ${range.min}-${range.max}`)
  return values
}

function parsePart(part: string, range: Range): number[] {
  if (part === '*') return span(range.min, range.max, 1)
  if (/^\d+$/.test(part)) return [Number(part)]
  const step = /^\*\/([1-9]\d?)$/.exec(part)
  if (step) return span(range.min, range.max, Number(step[1]))
  const rangeStep = /^(\d+)(?:-(\d+))?\/([1-9]\d?)$/.exec(part)
  if (rangeStep) {
    const [, from, to, by] = rangeStep
    // `A/S` runs from A to the field's maximum.
    return bounded(Number(from), to === undefined ? range.max : Number(to), Number(by), to !== undefined)
  }
  const plain = /^(\d+)-(\d+)$/.exec(part)
  if (plain) return bounded(Number(plain[1]), Number(plain[2]), 1, true)
  const hint = /[a-z]{3}/.test(part)
    ? ' (month and weekday names are upper case: JAN, MON)'
    : /\/\d+$/.test(part)
      ? ' (a step is 1 to 99, after *, A or A-B)'
      : ''
  throw new FieldError(`unrecognized ${range.name} part ${JSON.stringify(part)}${hint}`, part)
}

function bounded(from: number, to: number, step: number, explicit: boolean): number[] {
  if (explicit && from > to)
    throw new FieldError(`left side (${from}) of a range must be less than or equal to the right side (${to})`)
  // `A/S` with A past the maximum keeps A, which the range check then refuses (Oban's Elixir range
  // `A..max` counts down and yields A first).
  return from > to ? [from] : span(from, to, step)
}

function span(from: number, to: number, step: number): number[] {
  const values: number[] = []
  for (let value = from; value <= to; value += step) values.push(value)
  return values
}
