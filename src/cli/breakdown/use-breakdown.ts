import {useInput, useStderr, useStdin} from 'ink'
import {useEffect, useRef, useState, useSyncExternalStore} from 'react'
import type {BreakdownSnapshot, BreakdownSource} from './source.js'
import {captureStderr} from './capture-stderr.js'

/** The source's current snapshot; the component re-renders whenever the source reports a change. */
export function useBreakdown(source: BreakdownSource): BreakdownSnapshot {
  return useSyncExternalStore(source.subscribe, source.getSnapshot)
}

/**
 * The live view's keys: `q` (or Ctrl-C) calls `onQuit`; `p` pauses or resumes the plugin; `r`
 * counts now. Returns the action in flight (`pausing`, `resuming`, `refreshing`) for the status
 * line. Keys are read only where raw mode works (a terminal): elsewhere Ink would throw.
 */
export function useBreakdownKeys(source: BreakdownSource, onQuit: () => void): string | undefined {
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
    },
    {isActive: isRawModeSupported === true},
  )
  return pending
}

/**
 * While mounted (and `enabled`), routes process.stderr through Ink, so that log lines appear above
 * the frame instead of tearing it (see captureStderr).
 */
export function useCapturedStderr(enabled: boolean): void {
  const {write} = useStderr()
  useEffect(() => (enabled ? captureStderr(write) : undefined), [enabled, write])
}
