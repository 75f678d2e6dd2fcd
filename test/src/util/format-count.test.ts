import {describe, expect, it} from 'vitest'
import {formatCount} from '../../../src/util/format-count.js'

// formatCount groups integers by hand to avoid loading ICU's number data; its contract is to
// write exactly what toLocaleString('en-US') writes.
describe('formatCount', () => {
  it('writes integers exactly as toLocaleString("en-US"), across magnitudes and signs', () => {
    const values = [0, 1, -1, 999, 1000, -1000, 999_999, 1_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]
    for (let i = 0; i < 5000; i++) {
      const magnitude = 10 ** Math.floor(Math.random() * 16)
      values.push(Math.round((Math.random() - 0.5) * 2 * magnitude))
    }
    for (const n of values) expect(formatCount(n), String(n)).toBe(n.toLocaleString('en-US'))
  })

  it('leaves what is not a safe integer to toLocaleString', () => {
    for (const n of [1.5, -0, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY])
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'))
  })
})
