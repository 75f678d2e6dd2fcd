/**
 * Waiting in tests: for a condition, never for a fixed time. A test that sleeps "long enough"
 * either wastes that time on every run or fails when the machine is loaded; a test that waits for
 * what it needs goes on as soon as it holds, and the deadline only bounds how long a broken run
 * takes to fail. Deadlines are generous for that reason.
 */

export interface WaitOptions {
  /** How long before giving up (default 10 s). */
  timeoutMs?: number
  /** Time between two checks (default 20 ms). */
  intervalMs?: number
  /** What is awaited, for the timeout's message. */
  message?: string
}

/**
 * Polls `check` until it returns a truthy value, and resolves with that value; rejects once
 * `timeoutMs` has passed without one, or at once when `check` throws. The check runs at least
 * once, even if a stalled machine lets the deadline pass before it first returns.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  {timeoutMs = 10_000, intervalMs = 20, message = 'condition'}: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${message}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/**
 * Resolves once `ms` have passed since `since` (a Date.now() value). Only for what is a span of
 * time by definition: a check that something does *not* happen within a window, or a product
 * rule stated in time ("a second signal more than 0.5 s after the first"). Measuring from the
 * event, not from the call, keeps the window what the test says however slowly the steps between
 * ran.
 */
export async function elapsed(since: number, ms: number): Promise<void> {
  const left = since + ms - Date.now()
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left))
}
