/** The eight block heights of a sparkline, lowest first. */
const BLOCKS = '▁▂▃▄▅▆▇█'

/**
 * A sparkline of `values`, one character each, the last `width` values (older ones are cut from
 * the left; missing ones are blank on the left). Scaled to the largest value shown: zero is the
 * lowest block, and any value above zero at least the second, so a trickle is never hidden.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return ''
  const shown = values.slice(-width)
  const max = Math.max(0, ...shown)
  const blocks = shown.map((value) => {
    if (value <= 0 || max === 0) return BLOCKS[0]
    return BLOCKS[Math.max(1, Math.min(7, Math.round((value / max) * 7)))]
  })
  return ' '.repeat(width - shown.length) + blocks.join('')
}
