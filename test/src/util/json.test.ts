import {describe, expect, it} from 'vitest'
import {parseJson, stringifyJson} from '../../../src/util/json.js'

describe('parseJson / stringifyJson', () => {
  it('reads integers a double cannot hold as exact bigints, and every other number as JSON.parse does', () => {
    expect(parseJson('{"a":9223372036854775807,"b":-9007199254740993,"c":9007199254740991,"d":1e400,"e":0.1}')).toEqual(
      {a: 9223372036854775807n, b: -9007199254740993n, c: 9007199254740991, d: Infinity, e: 0.1},
    )
    // 16 digits that are still safe take the lossless path and stay numbers.
    expect(parseJson('[1000000000000000, 12345678901234567890.5]')).toEqual([1000000000000000, 12345678901234567000])
    // Digits inside a string are left alone.
    expect(parseJson('{"s":"9223372036854775807"}')).toEqual({s: '9223372036854775807'})
    expect(() => parseJson('{"a":9223372036854775807')).toThrow()
  })

  it('writes bigints with their exact digits and everything else as JSON.stringify does', () => {
    const value = {id: 9223372036854775807n, at: new Date(0), gone: undefined, list: [1, 'x', null], nested: {n: 7n}}
    expect(stringifyJson(value)).toBe(
      '{"id":9223372036854775807,"at":"1970-01-01T00:00:00.000Z","list":[1,"x",null],"nested":{"n":7}}',
    )
    expect(stringifyJson({a: [1n]}, 2)).toBe('{\n  "a": [\n    1\n  ]\n}')
    expect(stringifyJson({a: 1}, 2)).toBe(JSON.stringify({a: 1}, null, 2))
    expect(stringifyJson(undefined)).toBeUndefined()
    const cycle: Record<string, unknown> = {n: 1n}
    cycle.self = cycle
    expect(() => stringifyJson(cycle)).toThrow()
  })

  it('round-trips', () => {
    const value = {job_id: 9007199254740993n, ids: [1, 9223372036854775806n], s: 'x'}
    expect(parseJson(stringifyJson(value)!)).toEqual(value)
  })
})
