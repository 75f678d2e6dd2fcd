import {describe, expect, it} from 'vitest'
import {parseJsonTimestamp, parseTimestamp, timestampMs} from '../../../src/db/types.js'

describe('parseTimestamp', () => {
  it('reads the usual column and row_to_json texts as UTC Dates, microseconds cut to milliseconds', () => {
    expect(parseTimestamp('2026-11-28 16:07:10.123456')).toEqual(new Date('2026-11-28T16:07:10.123Z'))
    expect(parseTimestamp('2026-11-28T16:07:10.5')).toEqual(new Date('2026-11-28T16:07:10.500Z'))
    expect(parseJsonTimestamp('2026-11-28T16:07:10')).toEqual(new Date('2026-11-28T16:07:10.000Z'))
    expect(parseJsonTimestamp(null)).toBeNull()
  })

  it('reads years past 9999 and BC years that a Date holds', () => {
    expect((parseTimestamp('200000-01-01 00:00:00') as Date).toISOString()).toBe('+200000-01-01T00:00:00.000Z')
    expect((parseTimestamp('200000-06-30T12:30:00.25') as Date).toISOString()).toBe('+200000-06-30T12:30:00.250Z')
    // 44 BC is year -43 in ISO 8601 (there is a year 0).
    expect((parseTimestamp('0044-03-15 00:00:00 BC') as Date).toISOString()).toBe('-000043-03-15T00:00:00.000Z')
    expect((parseTimestamp('0001-01-01 00:00:00 BC') as Date).toISOString()).toBe('0000-01-01T00:00:00.000Z')
    expect((parseTimestamp('0099-01-01 00:00:00') as Date).toISOString()).toBe('0099-01-01T00:00:00.000Z')
  })

  it('keeps what a Date cannot hold as the stored text, and orders it', () => {
    for (const text of ['infinity', '-infinity', '294276-12-31 23:59:59.999999', '275760-09-14T00:00:00']) {
      expect(parseTimestamp(text)).toBe(text)
    }
    expect(timestampMs('infinity')).toBe(Infinity)
    expect(timestampMs('294276-12-31 23:59:59.999999')).toBe(Infinity)
    expect(timestampMs('-infinity')).toBe(-Infinity)
    expect(timestampMs(new Date(5))).toBe(5)
  })
})
