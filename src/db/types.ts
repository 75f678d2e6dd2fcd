import type pg from 'pg'
import pgDriver from './pg-driver.js'

// Oban stores every timestamp as UTC in `timestamp without time zone` columns. node-postgres
// parses those as *local* time by default, which shifts every date by the process's offset
// when TZ is not UTC. These parsers read them as UTC. They are per pool/client (the `types`
// option), so a host application's own pg usage is left alone.
const TIMESTAMP = 1114
const TIMESTAMP_ARRAY = 1115
const TEXT_ARRAY = 1009

/**
 * A `timestamp` value read from Oban's tables: a `Date` whenever a JavaScript Date can hold it,
 * otherwise the text PostgreSQL stores, as it renders it: `'infinity'`, `'-infinity'`, or a time
 * beyond a Date's range (after 275760-09-13 AD), such as `'294276-01-01 00:00:00'`. A Date holds
 * everything else, years above 9999 and BC years included. Code that reads a timestamp of a job
 * written by someone else (psql, another Oban) must expect the string: see `timestampMs`.
 */
export type Timestamp = Date | string

/**
 * Reads PostgreSQL's text of a `timestamp without time zone` as UTC: `2026-11-28 16:07:10.123456`
 * (a column) or `2026-11-28T16:07:10.123456` (in JSON, as the fetch reads it), with five or six
 * digits for years after 9999 and a ` BC` suffix before year 1. What a Date cannot hold comes back
 * as the text.
 */
export function parseTimestamp(text: string): Timestamp {
  const ms = usualTimestampMs(text)
  if (ms !== undefined) return new Date(ms)
  // Other 4-digit years AD (no fraction, say), which the native ISO parser reads.
  const date = new Date(`${text.length > 10 && text[10] === ' ' ? `${text.slice(0, 10)}T${text.slice(11)}` : text}Z`)
  if (!Number.isNaN(date.getTime())) return date
  return parseWideTimestamp(text) ?? text
}

const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * The usual timestamp, `YYYY-MM-DD HH:MM:SS.f` (or `T` between) with a 4-digit year and 1 to 6
 * digits of fraction, read by hand: every fetched job has three of them, and building a string
 * for the native parser cost ~1 µs each (a twentieth of a fetched job's client time). Anything
 * else (no fraction, a wider or BC year, a value out of range) gives undefined and takes the
 * general path.
 */
function usualTimestampMs(text: string): number | undefined {
  const n = text.length
  if (n < 21 || n > 26) return undefined
  const sep = text.charCodeAt(10)
  if (sep !== 32 && sep !== 84) return undefined
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 46) return undefined
  for (const i of DIGITS) if (!isDigit(text.charCodeAt(i))) return undefined
  for (let i = 20; i < n; i++) if (!isDigit(text.charCodeAt(i))) return undefined
  const d = (i: number) => text.charCodeAt(i) - 48
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
  const month = d(5) * 10 + d(6)
  const day = d(8) * 10 + d(9)
  const hour = d(11) * 10 + d(12)
  const minute = d(14) * 10 + d(15)
  const second = d(17) * 10 + d(18)
  let ms = 0
  for (let i = 20; i < 23; i++) ms = ms * 10 + (i < n ? d(i) : 0)
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0
  // Date.UTC rolls an out-of-range field over where the native parser refuses: refuse here too.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > DAYS[month - 1]! + leap) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  return Date.UTC(year, month - 1, day, hour, minute, second, ms)
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

const WIDE = /^(\d{4,6})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?( BC)?$/

/** Years above 9999 or BC (year 1 BC is year 0 in ISO 8601), when a Date can hold them. */
function parseWideTimestamp(text: string): Date | undefined {
  const m = WIDE.exec(text)
  if (!m) return undefined
  const year = m[8] ? 1 - Number(m[1]) : Number(m[1])
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  date.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]))
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)))
  return Number.isNaN(date.getTime()) ? undefined : date
}

/**
 * A `timestamp without time zone` as PostgreSQL's JSON functions render it (ISO 8601 whatever the
 * DateStyle, no offset: `2026-11-28T16:07:10.123456`), read as UTC like the column parser above.
 */
export function parseJsonTimestamp(value: unknown): Timestamp | null {
  if (typeof value !== 'string') return null
  return parseTimestamp(value)
}

/**
 * A timestamp's milliseconds since the epoch, for ordering and arithmetic: `infinity` and times
 * after a Date's range are +Infinity, `-infinity` is -Infinity (any other text too: it sorts first).
 */
export function timestampMs(value: Timestamp): number {
  if (value instanceof Date) return value.getTime()
  return value.startsWith('-') ? -Infinity : value === 'infinity' || /^\d/.test(value) ? Infinity : -Infinity
}

/** Type parsers for every pool and client that reads Oban's tables. */
export const obanTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMP && format !== 'binary') return parseTimestamp
    if (oid === TIMESTAMP_ARRAY && format !== 'binary') {
      const parseArray = pgDriver.types.getTypeParser(TEXT_ARRAY as never) as (value: string) => string[]
      return (value: string) => parseArray(value).map(parseTimestamp)
    }
    return pgDriver.types.getTypeParser(oid, format) as (value: string) => unknown
  }) as pg.CustomTypesConfig['getTypeParser'],
}

/**
 * A timestamp parameter for a `timestamp without time zone` column: the UTC wall-clock time.
 * Never pass a Date directly: node-postgres would send local time with an offset, and PostgreSQL
 * ignores the offset when casting to `timestamp without time zone`.
 */
export function utcParam(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '')
}
