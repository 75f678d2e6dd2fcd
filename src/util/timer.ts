import {MAX_TIMER_MS} from './limits.js'

/**
 * A delay that Node's timers can hold: clamped to `[0, MAX_TIMER_MS]`. Node turns any delay
 * above 2^31-1 ms (or NaN) into 1 ms, so an unchecked "25 days" would fire a thousand times a
 * second. Entry points refuse such durations already (README, "Ranges"); this is the backstop
 * every timer built from a configured or computed duration goes through.
 */
export function timerDelay(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0
  return Math.min(ms, MAX_TIMER_MS)
}

/** `setTimeout` with {@link timerDelay}'s clamp. */
export function setSafeTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(callback, timerDelay(ms))
}

/** `setInterval` with {@link timerDelay}'s clamp (at least 1 ms: a 0 ms interval spins). */
export function setSafeInterval(callback: () => void, ms: number): NodeJS.Timeout {
  return setInterval(callback, Math.max(1, timerDelay(ms)))
}
