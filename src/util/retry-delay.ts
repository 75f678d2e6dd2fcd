/**
 * The delay before retry number `attempt` (1 for the first) of something that keeps failing (a
 * fetch, an ack write, a reconnect, a crashed plugin): `base` doubled with each attempt, at most
 * `max`. Callers add jitter where many nodes retry against one server at once.
 */
export function retryDelay(attempt: number, {base, max}: {base: number; max: number}): number {
  // The exponent is capped so that 2 ** n stays finite; max applies long before.
  return Math.min(max, base * 2 ** Math.min(Math.max(attempt - 1, 0), 30))
}
