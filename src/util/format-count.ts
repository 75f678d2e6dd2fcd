// Intl's first number format in a process loads ICU's number data: ~10-15 ms, as much as a whole
// `oban queue list` spends on its own work. Counts are integers, whose en-US grouping is simple.
const THOUSANDS = /\B(?=(\d{3})+$)/g

/**
 * `1,234`: an integer grouped by thousands, exactly as `n.toLocaleString('en-US')` writes it;
 * anything else (fractions, -0, beyond 2^53) goes through toLocaleString itself.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US')
  const digits = String(Math.abs(n)).replace(THOUSANDS, ',')
  return n < 0 ? `-${digits}` : digits
}
