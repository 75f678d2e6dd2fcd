import {describe, expect, it} from 'vitest'
import {JobAbort} from '../../../src/queue/job-abort.js'

describe('JobAbort', () => {
  it('aborts the signal read before the abort, with the reason, and tells the listener once', () => {
    const abort = new JobAbort()
    const signal = abort.signal
    const heard: unknown[] = []
    abort.onAbort((reason) => heard.push(reason))
    const reason = new Error('pkill')
    abort.abort(reason)
    abort.abort(new Error('second'))
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBe(reason)
    expect(heard).toEqual([reason])
    expect(abort.signal).toBe(signal)
  })

  it('hands out an aborted signal, and calls a late listener at once, after the abort', () => {
    const abort = new JobAbort()
    const reason = new Error('timeout')
    abort.abort(reason)
    expect(abort.aborted).toBe(true)
    expect(abort.signal.aborted).toBe(true)
    expect(abort.signal.reason).toBe(reason)
    const heard: unknown[] = []
    abort.onAbort((r) => heard.push(r))
    expect(heard).toEqual([reason])
  })

  it('does not call a listener that was removed', () => {
    const abort = new JobAbort()
    const heard: unknown[] = []
    abort.onAbort((r) => heard.push(r))
    abort.onAbort(undefined)
    abort.abort(new Error('late'))
    expect(heard).toEqual([])
  })
})
