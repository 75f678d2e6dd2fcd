import type {FormatOptions} from './format.js'
import {breakdownJson} from './model.js'
import {plainFrame, type BreakdownMeta} from './plain.js'
import type {BreakdownSnapshot, BreakdownSource} from './source.js'

export interface StreamOptions {
  /** NDJSON (one JSON object a line) instead of a plain table. */
  json?: boolean
  format?: FormatOptions
  /** Receives each record, without a trailing newline. */
  write: (text: string) => void
}

/**
 * Writes every breakdown of `source` as it arrives, for a pipe, a file or CI: a plain table with
 * a timestamp header (plainFrame), or one JSON object per line (breakdownJson). A change of status
 * without a new breakdown (paused, resumed, restarting) is written too: a line such as
 * `Breakdown of Oban: paused`, or a JSON object with the same rows and the new status. The
 * breakdown already counted when it is called is written at once. Returns the unsubscribe.
 */
export function streamBreakdowns(source: BreakdownSource, meta: BreakdownMeta, options: StreamOptions): () => void {
  let last: BreakdownSnapshot | undefined
  const onChange = () => {
    const snapshot = source.getSnapshot()
    const counted = snapshot.rows !== undefined && snapshot.time !== last?.time
    const statusChanged = last !== undefined && snapshot.status !== last.status
    if (!counted && !statusChanged) return
    if (!counted && snapshot.rows === undefined && snapshot.status === 'starting') return
    last = snapshot
    if (options.json) options.write(JSON.stringify(breakdownJson(snapshot, meta.instance, options.format)))
    else if (counted) options.write(plainFrame(snapshot, meta, options.format))
    else options.write(statusLine(snapshot, meta))
  }
  const unsubscribe = source.subscribe(onChange)
  onChange()
  return unsubscribe
}

function statusLine(snapshot: BreakdownSnapshot, meta: BreakdownMeta): string {
  const why = snapshot.error ? `: ${snapshot.error}` : ''
  const what = snapshot.status === 'paused' ? 'paused (no counts until resumed)' : snapshot.status
  return `Breakdown of ${meta.instance}: ${what}${why}`
}
