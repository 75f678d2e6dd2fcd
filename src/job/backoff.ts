/**
 * Oban's backoff arithmetic (`Oban.Backoff` and the default `Oban.Worker.backoff/1`), in seconds.
 * Randomness is injectable so that tests can pin the jitter; production code uses Math.random,
 * as Oban uses `:rand.uniform/0`.
 */

/** A source of uniformly distributed numbers in [0, 1). */
export type Random = () => number

export type JitterMode = 'inc' | 'dec' | 'both'

/**
 * Oban's `Backoff.jitter/2`: moves `time` by `d = trunc(rand × mult × time)`, up (`inc`), down
 * (`dec`) or either way (`both`, the default). As in Oban, `both` uses the same random draw for
 * the direction (up when it is at least 0.5) and for the magnitude.
 */
export function jitter(time: number, mode: JitterMode = 'both', mult = 0.1, random: Random = Math.random): number {
  const rand = random()
  const diff = Math.trunc(rand * mult * time)
  if (mode === 'inc') return time + diff
  if (mode === 'dec') return time - diff
  return rand >= 0.5 ? time + diff : time - diff
}

export interface ExponentialOptions {
  /** Multiplier of the power of two (default 1). */
  mult?: number
  /** Added to the result (default 0). */
  minPad?: number
  /** The exponent is capped here (default 10), so the growth stops at `mult × 1024`. */
  maxPow?: number
}

/** Oban's `Backoff.exponential/2`: `minPad + mult × 2^min(attempt, maxPow)`. */
export function exponential(attempt: number, options: ExponentialOptions = {}): number {
  const {mult = 1, minPad = 0, maxPow = 10} = options
  return minPad + mult * 2 ** Math.min(attempt, maxPow)
}

/**
 * Attempts beyond this are scaled down for the default backoff: Oban's `@clamped_max`. Jobs with
 * more than 20 attempts map their attempt onto 0..20, so a job allowed 100 attempts does not wait
 * 2^100 seconds, and its last retry waits what the 20th retry of a default job would.
 */
const CLAMPED_MAX = 20

/**
 * The default worker backoff in seconds: `15 + 2^attempt` (the attempt clamped onto 0..20 when
 * `maxAttempts > 20`), plus up to 10% of jitter upwards. Attempt 1 gives 17..18 s, attempt 10
 * 1039..1142 s, attempt 20 about 12 days. `attempt` is the attempt that just failed, counting
 * from 1.
 */
export function defaultBackoff(
  job: {attempt: number; maxAttempts: number},
  random: () => number = Math.random,
): number {
  const clamped =
    job.maxAttempts <= CLAMPED_MAX ? job.attempt : Math.round((job.attempt / job.maxAttempts) * CLAMPED_MAX)
  // Oban passes max_pow: 100, i.e. no cap in practice: the clamp above already bounds the power.
  const base = exponential(clamped, {minPad: 15, mult: 1, maxPow: 100})
  return jitter(base, 'inc', 0.1, random)
}
