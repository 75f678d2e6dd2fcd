import {formatCount} from '../util/format-count.js'

export interface ProgressLine {
  /** Shows `done` of `total`; redrawn at most every few frames. */
  update(done: number, total: number): void
  /** Erases the line (the result is printed next, on stdout). */
  done(): void
}

// Redraws at most this often: a bulk action over 100k jobs reports 100 batches in a few seconds.
const FRAME_MS = 100

/**
 * A single progress line on a terminal, `retried 23,000 / 100,000`, rewritten in place (carriage
 * return and erase-line) on stderr; on anything that is not a terminal it writes nothing at all,
 * so logs and captured output stay clean.
 */
export function progressLine(
  verb: string,
  stream: NodeJS.WritableStream & {isTTY?: boolean} = process.stderr,
  clock: () => number = Date.now,
): ProgressLine {
  if (!stream.isTTY) return {update() {}, done() {}}
  let last = -Infinity
  let drawn = false
  const number = formatCount
  return {
    update(done, total) {
      const now = clock()
      if (now - last < FRAME_MS && done < total) return
      last = now
      drawn = true
      stream.write(`\r\x1b[2K${verb} ${number(done)} / ${number(total)}`)
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K')
      drawn = false
    },
  }
}
