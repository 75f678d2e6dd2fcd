import {createRequire} from 'node:module'
import {stripVTControlCharacters} from 'node:util'
import type TableClass from 'cli-table3'

// cli-table3 (7 modules) draws for a terminal only: pipes, files and logs never load it.
const require = createRequire(import.meta.url)

export interface TableSpec {
  /** Column titles. */
  head: string[]
  /** Cells as strings, possibly coloured (ANSI); every row has one cell per column. */
  rows: string[][]
  /** Right-align these columns (numbers). */
  alignRight?: readonly number[]
}

export interface TableStyle {
  /** Box-drawn cli-table3 table (a terminal), or aligned plain columns (pipes, files, logs). */
  tty: boolean
  /** Colours headers (already-coloured cells are the caller's business). */
  color?: (text: string) => string
  /**
   * A terminal's columns (with `tty` only): a wider table has its rightmost columns cut, each
   * cell ending in `…`, so that no row wraps. Undefined: every cell whole (`--wide`, pipes).
   */
  maxWidth?: number
}

// A column cut to fit keeps at least this many characters (or its whole width when narrower).
const MIN_CUT_WIDTH = 5

/**
 * Renders a table for a terminal (cli-table3, compact: no line between rows) or as plain text:
 * columns separated by two spaces, header first, no borders, no trailing spaces, so that `grep`,
 * `awk` and `cut` work on it. The cells are the same in both modes; only the frame differs.
 * Returns the text without a final newline.
 */
export function renderTable(spec: TableSpec, style: TableStyle): string {
  const head = spec.head.map((title) => (style.color ? style.color(title) : title))
  const right = new Set(spec.alignRight ?? [])
  if (style.tty) {
    // cli-table3 colours heads and borders itself, even on pipes: both are turned off and colour
    // comes from the caller's chalk instance only. Compact: a rule under the header, none
    // between rows.
    const colWidths = style.maxWidth === undefined ? undefined : fitColumns(spec, style.maxWidth)
    const Table = require('cli-table3') as typeof TableClass
    const table = new Table({
      head,
      style: {head: [], border: [], compact: true},
      colAligns: spec.head.map((_, i) => (right.has(i) ? 'right' : 'left')),
      ...(colWidths ? {colWidths, truncate: '…'} : {}),
    })
    table.push(...spec.rows)
    return table.toString()
  }
  const lines = [head, ...spec.rows]
  const widths = spec.head.map((_, i) => Math.max(...lines.map((cells) => visibleWidth(cells[i] ?? ''))))
  return lines
    .map((cells) =>
      cells
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - visibleWidth(cell))
          if (right.has(i)) return pad + cell
          return i === cells.length - 1 ? cell : cell + pad
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/**
 * cli-table3 column widths (padding included) that fit a box-drawn table into `maxWidth`
 * columns, cutting from the rightmost column leftwards, none below {@link MIN_CUT_WIDTH}; undefined
 * when the table fits as it is.
 */
function fitColumns(spec: TableSpec, maxWidth: number): number[] | undefined {
  const widths = spec.head.map((title, i) =>
    Math.max(visibleWidth(title), ...spec.rows.map((cells) => Math.max(...lines(cells[i] ?? '').map(visibleWidth)))),
  )
  // Each cell has a space either side, and the columns have one border more than their number.
  const frame = 3 * widths.length + 1
  let excess = widths.reduce((sum, w) => sum + w, 0) + frame - maxWidth
  if (excess <= 0) return undefined
  for (let i = widths.length - 1; i >= 0 && excess > 0; i--) {
    const cut = Math.min(excess, Math.max(0, widths[i]! - MIN_CUT_WIDTH))
    widths[i] = widths[i]! - cut
    excess -= cut
  }
  return widths.map((w) => w + 2)
}

function lines(cell: string): string[] {
  return cell.split('\n')
}

/** Key-value lines (`queue   default`) with keys padded to one width. */
export function renderFields(fields: [string, string][], style: {color?: (text: string) => string} = {}): string {
  const width = Math.max(0, ...fields.map(([key]) => key.length))
  return fields.map(([key, value]) => `${(style.color ?? String)(key.padEnd(width))}  ${value}`.trimEnd()).join('\n')
}

/** Printed width of a string: ANSI colour codes take no room. */
export function visibleWidth(text: string): number {
  return stripVTControlCharacters(text).length
}

/** Shortens `text` to at most `max` characters, ending with `…` when cut. Newlines become spaces. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ')
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`
}
