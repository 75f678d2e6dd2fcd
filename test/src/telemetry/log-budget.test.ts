import {describe, expect, it} from 'vitest'
import {LogBudget} from '../../../src/telemetry/log-budget.js'

describe('LogBudget', () => {
  it('logs up to the limit per key and window, says when it stops, and counts what it left out', () => {
    let now = 0
    const budget = new LogBudget(3, 60_000, () => now)
    const lines = Array.from({length: 5}, (_, i) => budget.admit('a', `bad ${i}`))
    expect(lines).toEqual([
      'bad 0',
      'bad 1',
      'bad 2 (3 such lines in 60s: more are counted, not logged, until then)',
      undefined,
      undefined,
    ])
    expect(budget.admit('b', 'other key')).toBe('other key')
    now = 59_999
    expect(budget.admit('a', 'still quiet')).toBeUndefined()
    now = 60_000
    expect(budget.admit('a', 'bad again')).toBe('bad again (3 more like it were not logged)')
    expect(budget.admit('a', 'next')).toBe('next')
  })
})
