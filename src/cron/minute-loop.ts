import {nextMinute} from './schedule.js'

export interface MinuteLoopOptions {
  /** The wall clock (injectable for tests). */
  now: () => Date
  /** Resolves after `ms`, or rejects when the owner stops (a plugin's `sleep`): that ends the loop. */
  sleep: (ms: number) => Promise<void>
  /** Runs once per minute with the minute's start; should not throw (a throw ends the loop). */
  tick: (minute: Date) => Promise<void>
}

/**
 * Oban's cron timing (`Cron.schedule_interval`): sleep until the next wall-clock minute boundary,
 * evaluate that minute, repeat. The first evaluation is at the next boundary, not at once. Each
 * minute is evaluated at most once: a timer that fires early (the wall clock and the timer clock
 * drift apart) still evaluates the minute it was set for, and the next sleep aims past it. A
 * stall longer than a minute skips the minutes it covered, as in Oban.
 */
export async function minuteLoop(options: MinuteLoopOptions): Promise<void> {
  let last: number | undefined
  for (;;) {
    const now = options.now()
    let target = nextMinute(now).getTime()
    if (last !== undefined && target <= last) target = last + 60_000
    await options.sleep(Math.max(0, target - now.getTime()))
    last = target
    await options.tick(new Date(target))
  }
}
