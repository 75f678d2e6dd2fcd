import {describe, expect, it} from 'vitest'
import {defaultBackoff, exponential, jitter} from '../../../src/job/backoff.js'

const never = () => 0
const almostOne = () => 0.999_999

describe('default backoff', () => {
  it('is 15 + 2^attempt seconds without jitter (the table of spec §6.5)', () => {
    const table: [number, number][] = [
      [1, 17],
      [2, 19],
      [3, 23],
      [5, 47],
      [10, 1039],
      [19, 524_303],
    ]
    for (const [attempt, base] of table) expect(defaultBackoff({attempt, maxAttempts: 20}, never)).toBe(base)
  })

  it('adds at most 10% (truncated) upwards', () => {
    expect(defaultBackoff({attempt: 1, maxAttempts: 20}, almostOne)).toBe(18)
    expect(defaultBackoff({attempt: 10, maxAttempts: 20}, almostOne)).toBe(1039 + 103)
    // ~6 days 16 hours at attempt 19, as Oban's docs say.
    expect(defaultBackoff({attempt: 19, maxAttempts: 20}, almostOne) / 3600).toBeCloseTo(160.2, 0)
    for (let i = 0; i < 1000; i++) {
      const value = defaultBackoff({attempt: 5, maxAttempts: 20})
      expect(value).toBeGreaterThanOrEqual(47)
      expect(value).toBeLessThanOrEqual(51)
      expect(Number.isInteger(value)).toBe(true)
    }
  })

  it('clamps the attempt onto 0..20 when max attempts exceed 20', () => {
    // round(50 / 100 * 20) = 10
    expect(defaultBackoff({attempt: 50, maxAttempts: 100}, never)).toBe(1039)
    expect(defaultBackoff({attempt: 100, maxAttempts: 100}, never)).toBe(15 + 2 ** 20)
    // round(1 / 40 * 20) = round(0.5) = 1 (half away from zero, as Elixir's round)
    expect(defaultBackoff({attempt: 1, maxAttempts: 40}, never)).toBe(17)
    expect(defaultBackoff({attempt: 1, maxAttempts: 100}, never)).toBe(16)
  })
})

describe('jitter', () => {
  it('moves by trunc(rand × mult × t) in the given direction', () => {
    expect(jitter(100, 'inc', 0.1, () => 0.55)).toBe(105)
    expect(jitter(100, 'dec', 0.1, () => 0.55)).toBe(95)
    expect(jitter(100, 'both', 0.1, () => 0.55)).toBe(105)
    expect(jitter(100, 'both', 0.1, () => 0.3)).toBe(97)
    expect(jitter(100, 'inc', 0.5, () => 0.5)).toBe(125)
  })

  it('stays within bounds', () => {
    for (let i = 0; i < 1000; i++) {
      const both = jitter(1000)
      expect(both).toBeGreaterThanOrEqual(901)
      expect(both).toBeLessThanOrEqual(1099)
      const inc = jitter(1000, 'inc')
      expect(inc).toBeGreaterThanOrEqual(1000)
      expect(inc).toBeLessThan(1100)
      const dec = jitter(1000, 'dec', 0.2)
      expect(dec).toBeGreaterThan(800)
      expect(dec).toBeLessThanOrEqual(1000)
    }
  })
})

describe('exponential', () => {
  it('is minPad + mult × 2^min(attempt, maxPow)', () => {
    expect(exponential(3)).toBe(8)
    expect(exponential(3, {mult: 2, minPad: 5})).toBe(21)
    expect(exponential(20)).toBe(1024)
    expect(exponential(20, {maxPow: 12})).toBe(4096)
  })
})
