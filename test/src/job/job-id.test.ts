import {describe, expect, it} from 'vitest'
import {InvalidJobIdError} from '../../../src/errors.js'
import {compareJobIds, jobIdFromJson, jobIdToJson, toJobId, toJobIds} from '../../../src/job/job-id.js'

describe('toJobId', () => {
  it('accepts positive integers up to 2^63 - 1 as strings, safe numbers and bigints, as canonical digits', () => {
    expect(toJobId('42')).toBe('42')
    expect(toJobId(' 0042 ')).toBe('42')
    expect(toJobId(42)).toBe('42')
    expect(toJobId(9223372036854775807n)).toBe('9223372036854775807')
    expect(toJobId('9223372036854775807')).toBe('9223372036854775807')
    expect(toJobId('9007199254740993')).toBe('9007199254740993')
  })

  it('refuses anything else with InvalidJobIdError (a usage error) saying what an id is', () => {
    for (const bad of ['0', '-1', 'abc', '1.5', '1e3', '', '9223372036854775808', 0, -3, 1.5, NaN, 0n, -1n]) {
      expect(() => toJobId(bad), String(bad)).toThrow(InvalidJobIdError)
    }
    expect(() => toJobId('abc')).toThrow(
      'invalid job id "abc": ids are positive integers no larger than 9223372036854775807',
    )
    // A number beyond 2^53 has already lost its digits: refused rather than rounded to another job.
    expect(() => toJobId(2 ** 60)).toThrow(/above 2\^53.*pass it as a string or a bigint/)
    expect(new InvalidJobIdError('x').exitCode).toBe(2)
  })

  it('checks lists (keeping the first of duplicates), orders ids numerically and maps them to JSON', () => {
    expect(toJobIds(['3', 1, 3n, '10'])).toEqual(['3', '1', '10'])
    expect(['10', '9', '9223372036854775807', '100'].sort(compareJobIds)).toEqual([
      '9',
      '10',
      '100',
      '9223372036854775807',
    ])
    expect(jobIdToJson('42')).toBe(42)
    expect(jobIdToJson('9007199254740993')).toBe(9007199254740993n)
    expect(jobIdFromJson(9007199254740993n)).toBe('9007199254740993')
    expect(jobIdFromJson(7)).toBe('7')
    expect(jobIdFromJson(1.5)).toBeUndefined()
    expect(jobIdFromJson(null)).toBeUndefined()
  })
})
