import {useInput, useStderr, useStdin, useStdout} from 'ink'
import {useEffect, useRef, useState, useSyncExternalStore} from 'react'
import type {BreakdownSnapshot, BreakdownSource} from './source.js'
import {captureStderr} from './capture-stderr.js'
import {eraseScreen, type LogTail} from './live-output.js'

/** The source's current snapshot; the component re-renders whenever the source reports a change. */
export function useBreakdown(source: BreakdownSource): BreakdownSnapshot {
  return useSyncExternalStore(source.subscribe, source.getSnapshot)
}

/** What the arrow and page keys do: scroll the table's rows by this many (negative: up). */
export type ScrollBy = (rows: number | 'page-up' | 'page-down') => void

/**
 * The live view's keys: `q` (or Ctrl-C) calls `onQuit`; `p` pauses or resumes the plugin; `r`
 * counts now, paused or not; ↑ ↓ PgUp PgDn call `onScroll`. Returns the action in flight
 * (`pausing`, `resuming`, `refreshing`) for the status line. Keys are read only where raw mode
 * works (a terminal): elsewhere Ink would throw.
 */
export function useBreakdownKeys(
  source: BreakdownSource,
  onQuit: () => void,
  onScroll: ScrollBy = () => {},
): string | undefined {
  const {isRawModeSupported} = useStdin()
  const [pending, setPending] = useState<string | undefined>()
  // The guard is a ref, not the state: a key handled before the next render must see it.
  const busy = useRef(false)
  const run = (label: string, action: () => Promise<void>) => {
    if (busy.current) return
    busy.current = true
    setPending(label)
    void action().finally(() => {
      busy.current = false
      setPending(undefined)
    })
  }
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) onQuit()
      else if (input === 'p') {
        // The source's current status, not this render's: it may have changed since.
        const paused = source.getSnapshot().status === 'paused'
        run(paused ? 'resuming' : 'pausing', paused ? source.resume : source.pause)
      } else if (input === 'r') run('refreshing', () => source.refresh())
      else if (key.upArrow) onScroll(-1)
      else if (key.downArrow) onScroll(1)
      else if (key.pageUp) onScroll('page-up')
      else if (key.pageDown) onScroll('page-down')
    },
    {isActive: isRawModeSupported === true},
  )
  return pending
}

/**
 * While mounted (and `enabled`), routes process.stderr through Ink, so that log lines appear above
 * the frame instead of tearing it (see captureStderr); with `stdout`, process.stdout too (worker
 * output, console.log): Ink itself writes its frames through a stream of its own (inkStdout).
 * Every routed line is kept in `tail`, for the redraw after a resize.
 */
export function useCapturedOutput(options: {stderr: boolean; stdout?: boolean; tail?: LogTail}): void {
  const {stderr, stdout = false, tail} = options
  const {write: writeErr} = useStderr()
  const {write: writeOut} = useStdout()
  useEffect(() => {
    if (!stderr) return undefined
    return captureStderr((text) => {
      tail?.append(text)
      writeErr(text)
    })
  }, [stderr, writeErr, tail])
  useEffect(() => {
    if (!stdout) return undefined
    return captureStderr((text) => {
      tail?.append(text)
      writeOut(text)
    }, process.stdout)
  }, [stdout, writeOut, tail])
}

/** The terminal's size, updated on every `resize`; undefined dimensions when it has none. */
export function useTerminalSize(terminal: NodeJS.WriteStream): {columns?: number; rows?: number} {
  const [size, setSize] = useState(() => sizeOf(terminal))
  useEffect(() => {
    const onResize = () => setSize(sizeOf(terminal))
    terminal.on('resize', onResize)
    return () => void terminal.off('resize', onResize)
  }, [terminal])
  return size
}

function sizeOf(terminal: NodeJS.WriteStream): {columns?: number; rows?: number} {
  return {columns: terminal.columns || undefined, rows: terminal.rows || undefined}
}

/** How long after the last `resize` of a burst the screen is redrawn. */
const REDRAW_AFTER_MS = 150

/**
 * After the terminal is resized (once a burst of resizes has settled, so Ink has laid the frame
 * out for the new size), redraws the whole screen: every row erased, then the last log lines that
 * fit above the frame, then the frame. It goes through Ink's stdout `write`, which erases Ink's
 * frame, writes the text and draws its latest frame under it, so Ink keeps track of where its
 * frame is. A terminal that reflows its lines on a resize (tmux, most emulators) leaves the old
 * frame's lines wrapped where Ink no longer knows them; erasing every row is the only way to
 * leave no stale line. `frameRows` gives the current frame's height.
 */
export function useRedrawOnResize(terminal: NodeJS.WriteStream, tail: LogTail, frameRows: () => number): void {
  const {write} = useStdout()
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined
    const redraw = () => {
      const rows = terminal.rows
      const columns = terminal.columns
      if (!rows || !columns) return
      // One row stays for the cursor under the frame.
      const room = Math.max(0, rows - frameRows() - 1)
      write(eraseScreen(rows) + tail.fit(room, columns))
    }
    const onResize = () => {
      clearTimeout(timer)
      timer = setTimeout(redraw, REDRAW_AFTER_MS)
    }
    terminal.on('resize', onResize)
    return () => {
      clearTimeout(timer)
      terminal.off('resize', onResize)
    }
  }, [terminal, tail, frameRows, write])
}
