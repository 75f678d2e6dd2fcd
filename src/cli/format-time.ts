import type {Timestamp} from '../db/types.js'

/**
 * Time as operators read it: `12s ago`, `in 5m`, `3h ago`. Precise enough to tell a stuck job
 * from a busy one; `--json` has exact timestamps.
 */
export function relativeTime(date: Timestamp | null, now: Date): string {
  if (date === null) return '-'
  // A value a Date cannot hold (`infinity`) is shown as PostgreSQL stores it.
  if (typeof date === 'string') return date
  const ms = date.getTime() - now.getTime()
  if (Math.abs(ms) < 1000) return 'now'
  return ms > 0 ? `in ${shortDuration(ms)}` : `${shortDuration(-ms)} ago`
}

/**
 * A duration in its largest unit, rounded down: `850ms`, `42s`, `5m`, `3h`, `2d`. Two units
 * from minutes on when the second one matters (`5m 12s`, `3h 20m`, `2d 4h`).
 */
export function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.floor(ms)}ms`
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ]
  for (const [index, [unit, size]] of units.entries()) {
    if (ms < size) continue
    const whole = Math.floor(ms / size)
    const next = units[index + 1]
    if (unit === 's' || next === undefined) return `${whole}${unit}`
    const rest = Math.floor((ms % size) / next[1])
    return rest === 0 ? `${whole}${unit}` : `${whole}${unit} ${rest}${next[0]}`
  }
  return `${Math.floor(ms)}ms`
}

/** An exact UTC timestamp and its distance from now: `2024-05-01 12:00:03.120 UTC (3m 2s ago)`. */
export function exactTime(date: Timestamp | null, now: Date): string {
  if (date === null) return '-'
  if (typeof date === 'string') return date
  const stamp = date.toISOString().replace('T', ' ').replace('Z', ' UTC')
  return `${stamp} (${relativeTime(date, now)})`
}
