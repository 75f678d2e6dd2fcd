import {describe, expect, it} from 'vitest'
import {normalizeJobSpec} from '../../../src/job/spec.js'
import {snooze} from '../../../src/job/result.js'
import {parseSignal, queueSignal} from '../../../src/queue/signals.js'
import {parseDuration} from '../../../src/util/duration.js'
import {MAX_AGE_MS, MAX_TIMER_MS, queueLimitProblem} from '../../../src/util/limits.js'
import {isQueueName, queueNameProblem} from '../../../src/util/queue-name.js'
import {setSafeTimeout, timerDelay} from '../../../src/util/timer.js'

describe('durations', () => {
  it('refuse anything longer than the longest timer Node runs, unless a caller allows more', () => {
    expect(parseDuration('24d')).toEqual({ok: true, ms: 24 * 86_400_000})
    expect(parseDuration(MAX_TIMER_MS)).toEqual({ok: true, ms: MAX_TIMER_MS})
    expect(parseDuration(MAX_TIMER_MS + 1)).toEqual({
      ok: false,
      reason: 'expected a duration of at most 24.8 days (2147483647ms, the longest timer Node runs), got 2147483648',
    })
    expect(parseDuration('25d').ok).toBe(false)
    expect(parseDuration('99999999999d').ok).toBe(false)
    expect(parseDuration('30d', {max: MAX_AGE_MS})).toEqual({ok: true, ms: 30 * 86_400_000})
    expect(parseDuration('101y', {max: MAX_AGE_MS})).toEqual({
      ok: false,
      reason: 'expected a duration of at most 100 years, got "101y"',
    })
  })

  it('timers clamp what they are given to what Node can wait, instead of 1 ms', async () => {
    expect(timerDelay(25 * 86_400_000)).toBe(MAX_TIMER_MS)
    expect(timerDelay(Number.NaN)).toBe(0)
    expect(timerDelay(-5)).toBe(0)
    expect(timerDelay(1500)).toBe(1500)
    // A 25-day timer must not fire soon: Node would have turned it into 1 ms.
    let fired = false
    const timer = setSafeTimeout(() => (fired = true), 25 * 86_400_000)
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setTimeout(resolve, 20))
    clearTimeout(timer)
    expect(fired).toBe(false)
  })
})

describe('queue limits', () => {
  it('are integers from 1 to 10,000', () => {
    expect(queueLimitProblem(1)).toBeUndefined()
    expect(queueLimitProblem(10_000)).toBeUndefined()
    for (const bad of [0, -1, 1.5, 10_001, 1e12, 1e20, 1e308, Number.NaN, Infinity, '5'])
      expect(queueLimitProblem(bad)).toMatch(/^expected an integer from 1 to 10,000, got /)
  })

  it('are checked in signals sent (library and CLI) and received (from any node)', () => {
    expect(() => queueSignal('scale', {queue: 'q', instance: 'Oban', limit: 1e20})).toThrow(
      'scale needs a limit from 1 to 10,000 (jobs each node runs at once), got 100000000000000000000',
    )
    expect(queueSignal('scale', {queue: 'q', instance: 'Oban', limit: 10_000})).toMatchObject({limit: 10_000})
    expect(parseSignal({action: 'scale', ident: 'any', queue: 'q', limit: 1e308})).toEqual({
      ok: false,
      reason: 'limit out of range: expected an integer from 1 to 10,000, got 1e+308 (the queue keeps its limit)',
    })
    expect(parseSignal({action: 'start', ident: 'any', queue: 'q', limit: 1e20}).ok).toBe(false)
    expect(parseSignal({action: 'scale', ident: 'any', queue: 'q', limit: 7})).toEqual({
      ok: true,
      signal: {action: 'scale', queue: 'q', limit: 7, paused: undefined},
    })
  })
})

describe('queue names', () => {
  it('follow one rule: 1 to 127 characters, no whitespace, quotes or backslashes', () => {
    for (const good of ['default', 'events.v2', 'q-1', 'é'.repeat(127), 'a:b']) expect(isQueueName(good)).toBe(true)
    expect(queueNameProblem('')).toBe('a queue name cannot be empty')
    expect(queueNameProblem('x'.repeat(128))).toBe('a queue name has at most 127 characters, got 128')
    for (const bad of ['has space', 'tab\there', 'new\nline', 'quo"te', "it's", 'back\\slash'])
      expect(queueNameProblem(bad)).toBe('a queue name cannot contain spaces, quotes or backslashes')
    expect(queueNameProblem(5)).toMatch(/^a queue name is a string of/)
  })

  it('are refused by queue signals sent and received, except "*" for pause and resume', () => {
    expect(() => queueSignal('pause', {queue: 'has space', instance: 'Oban'})).toThrow(
      'invalid queue name "has space": use 1 to 127 characters, without spaces, quotes or backslashes',
    )
    expect(queueSignal('pause', {queue: '*', instance: 'Oban'})).toEqual({action: 'pause', ident: 'any', queue: '*'})
    expect(parseSignal({action: 'start', ident: 'any', queue: 'has space', limit: 1})).toEqual({
      ok: false,
      reason: 'invalid queue name (1 to 127 characters, without spaces, quotes or backslashes)',
    })
    expect(parseSignal({action: 'pause', ident: 'any', queue: '*'})).toEqual({
      ok: true,
      signal: {action: 'pause', queue: '*'},
    })
  })
})

describe('job specs', () => {
  it('refuse a queue no node could run, and priorities and attempts out of range', () => {
    expect(() => normalizeJobSpec({worker: 'W', queue: 'has space'})).toThrow(
      'invalid job: queue: must be a queue name of 1 to 127 characters, without spaces, quotes or backslashes, got "has space"',
    )
    expect(() => normalizeJobSpec({worker: 'W', priority: 10, maxAttempts: 2 ** 31})).toThrow(
      'invalid job: priority: must be an integer from 0 to 9, got 10; maxAttempts: must be an integer from 1 to 2147483647, got 2147483648',
    )
    expect(() => snooze(MAX_AGE_MS)).toThrow(/snooze expects a number of seconds from 0 to 100 years/)
  })
})
