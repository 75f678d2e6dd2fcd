import {formatDuration} from '../../util/duration.js'
import {formatBreakdown, type FormatOptions} from './format.js'
import type {BreakdownSnapshot} from './source.js'

const pad = (n: number) => String(n).padStart(2, '0')

/** Local wall-clock time, `12:00:03`: when a view last refreshed. */
export function clockTime(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/** Local date and time, `2026-11-28 12:00:03`: the header of each plain table in a log. */
export function localTimestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clockTime(date)}`
}

/** What a view says about where its breakdown comes from. */
export interface BreakdownMeta {
  instance: string
  node: string
  /** The plugin's interval, when known. */
  intervalMs?: number
}

/**
 * One refresh for a pipe, a file or CI: a header line with the time of the count, the instance
 * and the status, then the table. No escape codes unless `color` (the caller's decision).
 */
export function plainFrame(snapshot: BreakdownSnapshot, meta: BreakdownMeta, options: FormatOptions = {}): string {
  const when = snapshot.time ? localTimestamp(snapshot.time) : 'not counted yet'
  const status =
    snapshot.status === 'running' ? '' : ` (${snapshot.status}${snapshot.error ? `: ${snapshot.error}` : ''})`
  const every = meta.intervalMs === undefined ? '' : `, every ${formatDuration(meta.intervalMs)}`
  const header = `Breakdown of ${meta.instance} at ${when}${every}${status}`
  return `${header}\n${formatBreakdown(snapshot.rows ?? [], options)}`
}
