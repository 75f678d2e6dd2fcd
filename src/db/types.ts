import pg from 'pg'

// Oban stores every timestamp as UTC in `timestamp without time zone` columns. node-postgres
// parses those as *local* time by default, which shifts every date by the process's offset
// when TZ is not UTC. These parsers read them as UTC. They are per pool/client (the `types`
// option), so a host application's own pg usage is left alone.
const TIMESTAMP = 1114
const TIMESTAMP_ARRAY = 1115
const TEXT_ARRAY = 1009

function parseUtcTimestamp(value: string): Date | string {
  if (value === 'infinity' || value === '-infinity') return value
  return new Date(`${value.replace(' ', 'T')}Z`)
}

/**
 * A `timestamp without time zone` as `row_to_json` renders it (ISO 8601 whatever the DateStyle,
 * no offset: `2026-11-28T16:07:10.123456`), read as UTC like the column parser above.
 */
export function parseJsonTimestamp(value: unknown): Date | null {
  if (typeof value !== 'string') return null
  if (value === 'infinity' || value === '-infinity') return new Date(NaN)
  return new Date(`${value}Z`)
}

/** Type parsers for every pool and client that reads Oban's tables. */
export const obanTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMP && format !== 'binary') return parseUtcTimestamp
    if (oid === TIMESTAMP_ARRAY && format !== 'binary') {
      const parseArray = pg.types.getTypeParser(TEXT_ARRAY as never) as (value: string) => string[]
      return (value: string) => parseArray(value).map(parseUtcTimestamp)
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
