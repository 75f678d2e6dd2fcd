import pg from 'pg'

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
 * (a column) or `2026-11-28T16:07:10.123456` (`row_to_json`), with five or six digits for years
 * after 9999 and a ` BC` suffix before year 1. What a Date cannot hold comes back as the text.
 */
export function parseTimestamp(text: string): Timestamp {
  // The usual value: a 4-digit year AD, which the native ISO parser reads.
  const date = new Date(`${text.length > 10 && text[10] === ' ' ? `${text.slice(0, 10)}T${text.slice(11)}` : text}Z`)
  if (!Number.isNaN(date.getTime())) return date
  return parseWideTimestamp(text) ?? text
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
 * A `timestamp without time zone` as `row_to_json` renders it (ISO 8601 whatever the DateStyle,
 * no offset: `2026-11-28T16:07:10.123456`), read as UTC like the column parser above.
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
      const parseArray = pg.types.getTypeParser(TEXT_ARRAY as never) as (value: string) => string[]
      return (value: string) => parseArray(value).map(parseTimestamp)
    }
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown
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
