import {afterEach, describe, expect, it} from 'vitest'
import {PauseWatch} from '../../../src/util/pause-watch.js'

const watches: PauseWatch[] = []
afterEach(() => {
  for (const watch of watches.splice(0)) watch.stop()
})

/** Holds the event loop for `ms`, as a paused process or a synchronous block does. */
function block(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

describe('PauseWatch', () => {
  it('tells a timer that wakes up after a pause how long it was, before its own tick has run', async () => {
    const watch = new PauseWatch({tickMs: 50})
    watches.push(watch)
    watch.start()
    const gaps: number[] = []
    watch.onPause((gap) => gaps.push(gap))
    expect(watch.overdue()).toBe(0)
    // A timer due in the same turn as the watch's tick: it sees the pause whichever runs first.
    const seen = new Promise<number>((resolve) => setTimeout(() => resolve(watch.overdue()), 10))
    block(1_300)
    expect(await seen).toBeGreaterThan(1_000)
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(gaps).toHaveLength(1)
    expect(gaps[0]).toBeGreaterThan(1_100)
    expect(watch.overdue()).toBeLessThan(1_000)
  })

  it('reports nothing while the loop keeps time, and nothing once stopped', async () => {
    const watch = new PauseWatch({tickMs: 20})
    watches.push(watch)
    const gaps: number[] = []
    watch.onPause((gap) => gaps.push(gap))
    expect(watch.overdue()).toBe(0)
    watch.start()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(gaps).toEqual([])
    watch.stop()
    block(1_100)
    expect(watch.overdue()).toBe(0)
  })
})
