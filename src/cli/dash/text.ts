import {stripVTControlCharacters} from 'node:util'
import {formatCount} from '../../util/format-count.js'

/**
 * Text cells for the dash's screens, which are drawn as lines of exactly the terminal's width:
 * everything here counts visible characters (colours excluded), one column each.
 */

export const visibleLength = (text: string): number => stripVTControlCharacters(text).length

/** Cut to `width` visible characters, with `…` when cut; colour codes are only kept when not cut. */
export function cut(text: string, width: number): string {
  if (width <= 0) return ''
  const plain = stripVTControlCharacters(text)
  if (plain.length <= width) return text
  return width === 1 ? '…' : `${plain.slice(0, width - 1)}…`
}

/** Cut or padded to exactly `width` columns. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fitted = cut(text, width)
  const room = ' '.repeat(Math.max(0, width - visibleLength(fitted)))
  return align === 'left' ? fitted + room : room + fitted
}

/** A table column: a title, a width (or `flex` for the rest of the line) and how a row shows in it. */
export interface Column<Row> {
  title: string
  width: number | 'flex'
  align?: 'left' | 'right'
  /** The cell's text; `width` is the column's (for a flex column, what it got). */
  value: (row: Row, width: number) => string
  /** Dropped first when the line is too narrow (higher drops earlier); 0 never drops. */
  drop?: number
}

/**
 * The columns that fit `width` (two spaces between them, the `flex` one taking the rest, at
 * least 10 columns): columns with the highest `drop` go first until the others fit.
 */
export function fitColumns<Row>(columns: readonly Column<Row>[], width: number): Column<Row>[] {
  let kept = [...columns]
  const need = (cols: Column<Row>[]) =>
    cols.reduce((sum, c) => sum + (c.width === 'flex' ? 10 : c.width), 0) + 2 * Math.max(0, cols.length - 1)
  while (need(kept) > width) {
    const droppable = kept.filter((c) => (c.drop ?? 0) > 0)
    if (droppable.length === 0) break
    const worst = droppable.reduce((a, b) => ((b.drop ?? 0) > (a.drop ?? 0) ? b : a))
    kept = kept.filter((c) => c !== worst)
  }
  const fixed = kept.reduce((sum, c) => sum + (c.width === 'flex' ? 0 : c.width), 0) + 2 * Math.max(0, kept.length - 1)
  return kept.map((c) => (c.width === 'flex' ? {...c, width: Math.max(10, width - fixed)} : c))
}

/** One line of a table: the cells of `row` (or the titles when `row` is undefined), cut to `width`. */
export function tableLine<Row>(columns: readonly Column<Row>[], row: Row | undefined, width: number): string {
  const line = columns
    .map((c) => cell(row === undefined ? c.title : c.value(row, c.width as number), c.width as number, c.align))
    .join('  ')
  return cell(line, width)
}

/**
 * The first row shown of `count` rows in `height` lines so that `selected` is in view: the list
 * scrolls by whole pages, so the window depends on the selection alone.
 */
export function scrollWindow(count: number, height: number, selected: number): number {
  if (height <= 0 || count <= height) return 0
  return Math.min(Math.floor(Math.max(0, selected) / height) * height, count - height)
}

/** `1,234` */
export const num = formatCount
