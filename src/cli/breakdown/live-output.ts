import {stripVTControlCharacters} from 'node:util'

/**
 * The terminal side of the live view: the log lines written above the frame, the stream Ink is
 * given, and what a resize redraws.
 */

/** How many log lines are kept for redrawing the screen after a resize. */
const KEPT_LINES = 500

/**
 * The last lines written above the live frame (the instance's log, worker output), as they were
 * written, colours included: after a resize the screen is redrawn with as many of them as fit
 * above the frame.
 */
export class LogTail {
  private readonly lines: string[] = []
  private partial = ''

  append(text: string): void {
    const parts = (this.partial + text).split('\n')
    this.partial = parts.pop() ?? ''
    this.lines.push(...parts)
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES)
  }

  /**
   * The last lines that fill at most `rows` terminal rows `columns` wide (a long line wraps onto
   * several), each ending with a newline; empty when none fits.
   */
  fit(rows: number, columns: number): string {
    const picked: string[] = []
    let used = 0
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i]!
      const height = Math.max(1, Math.ceil(stripVTControlCharacters(line).length / Math.max(1, columns)))
      if (used + height > rows) break
      used += height
      picked.unshift(line)
    }
    return picked.map((line) => `${line}\n`).join('')
  }
}

/**
 * Erases every row of the visible screen, one line at a time, and puts the cursor at the top
 * left. Not ED (`ESC[2J`/`ESC[J`): terminals such as tmux push a cleared screen into the
 * scrollback, which would fill it with copies of the frame.
 */
export function eraseScreen(rows: number): string {
  return `\u001B[H${'\u001B[2K\u001B[B'.repeat(Math.max(0, rows - 1))}\u001B[2K\u001B[H`
}

/**
 * The stream Ink renders to: the terminal, with two differences.
 *
 * - `rows` is hidden. Ink treats a frame as tall as the screen as full-screen output and then
 *   redraws it by clearing the whole terminal, scrollback and log lines included; the view keeps
 *   its frame shorter than the screen itself (frameBudget), so Ink never needs to know the height.
 * - `write` is the stream's own, taken before the view routes the process's writes to stdout
 *   above its frame (captureStderr on stdout): Ink's frames go straight to the terminal.
 *
 * Everything else (columns, isTTY, `resize` events) is the terminal's.
 */
export function inkStdout(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  // Kept unbound and called with the stream as `this`, as captureStderr does.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const write = stream.write
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'rows') return undefined
      if (property === 'write')
        return (...args: unknown[]) => (write as (...a: unknown[]) => boolean).apply(target, args)
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}
