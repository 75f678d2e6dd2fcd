// The automatic JSX runtime even where no tsconfig applies: tsx (dev mode) reads the tsconfig of the
// working directory, which for `oban start` run elsewhere has none (then JSX would need React in scope).
/** @jsxRuntime automatic @jsxImportSource react */
import {render} from 'ink'
import {BreakdownApp, type BreakdownAppProps} from './breakdown-app.js'
import {inkStdout} from './live-output.js'

export interface LiveBreakdown {
  /** Resolves once the view is gone: after `q`/Ctrl-C (when quitting unmounts) or `stop()`. */
  readonly exited: Promise<void>
  /** Unmounts the view (idempotent) and resolves once Ink has let go of the terminal. */
  stop(): Promise<void>
}

export type LiveBreakdownOptions = Omit<BreakdownAppProps, 'onQuit'> & {
  /**
   * What `q` and Ctrl-C do. Default: unmount the view (`exited` resolves). `oban start` passes a
   * function that stops the instance the way SIGINT does.
   */
  onQuit?: () => void
}

/**
 * Mounts the live Breakdown in the terminal. This module is the only place that imports Ink for
 * it: commands load it lazily (`await import(...)`) so that other commands never pay for Ink.
 *
 * Ctrl-C is read as a key (`exitOnCtrlC: false`) and handled like `q`, so quitting always takes
 * the owner's path (stop the instance, release the pool) rather than Ink's. Ink draws on
 * inkStdout (the terminal without its height, see there), and the frame fits the terminal
 * itself; with `captureStderr`, whatever the process writes to stderr and to stdout (log lines,
 * worker output, `console.*`) goes above the frame and stays in the scrollback.
 */
export function renderBreakdown(options: LiveBreakdownOptions): LiveBreakdown {
  let stopped = false
  const stop = async () => {
    if (!stopped) {
      stopped = true
      instance.unmount()
    }
    await exited
  }
  const onQuit = options.onQuit ?? (() => void stop())
  const capture = options.captureStderr === true
  const instance = render(
    <BreakdownApp {...options} onQuit={onQuit} captureStdout={capture} terminal={process.stdout} />,
    // console.* writes to process.stdout and stderr, which the view routes itself when capturing.
    {exitOnCtrlC: false, patchConsole: !capture, stdout: inkStdout(process.stdout)},
  )
  // An error thrown while rendering rejects waitUntilExit; the view is gone either way.
  const exited = instance.waitUntilExit().then(
    () => undefined,
    () => undefined,
  )
  return {exited, stop}
}
