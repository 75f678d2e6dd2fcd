import {describe, expect, it} from 'vitest'
import {parseJsonTimestamp, parseTimestamp, timestampMs} from '../../../src/db/types.js'

describe('parseTimestamp', () => {
  it('reads the usual column and row_to_json texts as UTC Dates, microseconds cut to milliseconds', () => {
    expect(parseTimestamp('2026-11-28 16:07:10.123456')).toEqual(new Date('2026-11-28T16:07:10.123Z'))
    expect(parseTimestamp('2026-11-28T16:07:10.5')).toEqual(new Date('2026-11-28T16:07:10.500Z'))
    expect(parseJsonTimestamp('2026-11-28T16:07:10')).toEqual(new Date('2026-11-28T16:07:10.000Z'))
    expect(parseJsonTimestamp(null)).toBeNull()
  })

  it('reads every usual timestamp exactly as the native ISO parser does (the hand-written fast path)', () => {
    // Random instants from year 1000 to 9999 in both layouts and every fraction length, plus the
    // edges of months, leap days and the end of a day.
    const texts: string[] = []
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 2000; i++) {
      const iso = new Date(
        Date.UTC(1000, 0, 1) + random() * (Date.UTC(9999, 11, 31) - Date.UTC(1000, 0, 1)),
      ).toISOString()
      const micros = String(Math.floor(random() * 1e6))
        .padStart(6, '0')
        .slice(0, 1 + (i % 6))
      texts.push(`${iso.slice(0, 10)}${i % 2 ? 'T' : ' '}${iso.slice(11, 19)}.${micros}`)
    }
    texts.push(
      '2024-02-29 23:59:59.999999',
      '2000-02-29T00:00:00.0',
      '2026-12-31 23:59:59.5',
      '1000-01-01 00:00:00.000001',
    )
    for (const text of texts) {
      expect(parseTimestamp(text), text).toEqual(new Date(`${text.replace(' ', 'T')}Z`))
    }
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
