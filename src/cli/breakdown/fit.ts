import {stripVTControlCharacters} from 'node:util'

/**
 * Fitting the live Breakdown into the terminal: how tall its frame may be, which table rows it
 * shows, and how much of the header fits on one line. Pure functions over text, so the view and
 * its tests agree on every line.
 */

/**
 * The most lines the live frame (header, table, footer) may take in a terminal of `rows` rows:
 * at least a quarter of the screen (and 3 rows) stays for the log lines above it, and the frame
 * is always shorter than the screen (Ink redraws a frame that fills the screen by clearing the
 * whole terminal, scrollback included). Unbounded when the height is unknown (not a terminal).
 */
export function frameBudget(rows: number | undefined): number {
  if (rows === undefined || !Number.isFinite(rows) || rows <= 0) return Number.POSITIVE_INFINITY
  const logRows = Math.max(3, Math.floor(rows / 4))
  return Math.max(3, Math.min(rows - 1, rows - logRows))
}

/** A table cut to a height: the lines to show and where they are in its body. */
export interface FittedTable {
  lines: string[]
  /** The first body row shown (0-based) once clamped, to keep as the scroll position. */
  offset: number
  /** How many body rows scroll (the pinned grand total excluded); 0 when everything fits. */
  scrollable: number
  /** How many of them are shown. */
  shown: number
}

/**
 * Cuts a table as formatBreakdown renders it (top border, head, separator, body rows, bottom
 * border, maybe a legend) to at most `maxLines` lines. When it does not fit, the head and the
 * bottom stay, the grand total (`all queues`) stays pinned as the last row, a window of the other
 * rows starting at `offset` (clamped) is shown, and one line under the table says which rows
 * these are and how to scroll. Text that is not a boxed table (`No jobs.`) is cut from the end.
 */
export function fitTable(text: string, maxLines: number, offset = 0): FittedTable {
  const lines = text.split('\n')
  if (lines.length <= maxLines) return {lines, offset: 0, scrollable: 0, shown: 0}
  const plain = lines.map((line) => stripVTControlCharacters(line))
  const bottom = plain.findIndex((line) => line.startsWith('└'))
  if (!plain[0]?.startsWith('┌') || bottom < 3)
    return {lines: lines.slice(0, maxLines), offset: 0, scrollable: 0, shown: 0}

  const head = lines.slice(0, 3)
  const tail = lines.slice(bottom)
  let body = lines.slice(3, bottom)
  const pinned = plain[bottom - 1]?.includes('all queues') ? body.slice(-1) : []
  if (pinned.length > 0) body = body.slice(0, -1)
  // The info line counts too.
  const room = Math.max(1, maxLines - head.length - tail.length - pinned.length - 1)
  const window = Math.min(room, body.length)
  const first = Math.max(0, Math.min(offset, body.length - window))
  const shown = body.slice(first, first + window)
  const info = `rows ${first + 1}–${first + window} of ${body.length} · ↑↓ PgUp PgDn to scroll`
  return {
    lines: [...head, ...shown, ...pinned, ...tail, info],
    offset: first,
    scrollable: body.length,
    shown: window,
  }
}

/** What the header says, in parts that can be left out when the line is too narrow. */
export interface HeaderParts {
  instance: string
  node: string
  /** `every 10s`, when the interval is known. */
  every?: string
  /** `updated 12:00:03` or `not counted yet`. */
  updated: string
  status: string
}

/**
 * The header's text parts, the widest variant that fits `columns`: everything
 * (`Breakdown · Oban · node web-1 · every 10s · updated 12:00:03 · running`), then without the
 * node, then without the interval, then without the instance, then only `Breakdown · running`,
 * then the status alone. The status always stays: it is what a narrow terminal must still show.
 * Returns the parts between `Breakdown` and the status (the caller styles both ends).
 */
export function headerMiddle(parts: HeaderParts, columns: number | undefined): {title: boolean; middle: string} {
  const variants: {title: boolean; middle: string[]}[] = [
    {title: true, middle: [parts.instance, `node ${parts.node}`, parts.every ?? '', parts.updated]},
    {title: true, middle: [parts.instance, parts.every ?? '', parts.updated]},
    {title: true, middle: [parts.instance, parts.updated]},
    {title: true, middle: [parts.updated]},
    {title: true, middle: []},
    {title: false, middle: []},
  ]
  const render = (v: {title: boolean; middle: string[]}) => {
    const middle = v.middle.filter((p) => p !== '').join(' · ')
    return {title: v.title, middle}
  }
  const width = (v: {title: boolean; middle: string}) =>
    (v.title ? 'Breakdown · '.length : 0) + (v.middle === '' ? 0 : v.middle.length + ' · '.length) + parts.status.length
  for (const variant of variants) {
    const candidate = render(variant)
    if (columns === undefined || width(candidate) <= columns) return candidate
  }
  return {title: false, middle: ''}
}
