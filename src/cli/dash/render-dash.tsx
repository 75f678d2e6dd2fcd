// The automatic JSX runtime even where no tsconfig applies (tsx reads the working directory's).
/** @jsxRuntime automatic @jsxImportSource react */
import {render} from 'ink'
import {inkStdout} from '../breakdown/live-output.js'
import {DashApp, type DashAppProps} from './dash-app.js'

/** The alternate screen: the dash takes the whole terminal and gives the user's screen back. */
const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H'
const LEAVE_ALT_SCREEN = '\u001B[?1049l'
const CLEAR = '\u001B[2J\u001B[H'

export interface LiveDash {
  /** Resolves once the screen is gone (quit, or stop()). */
  readonly exited: Promise<void>
  stop(): Promise<void>
}

/**
 * Mounts the dash on the alternate screen: the user's screen and scrollback come back as they
 * were when it ends, whichever way (q, Ctrl-C, SIGTERM, a crash: the process's exit restores it
 * too). Ctrl-C is a key here (`exitOnCtrlC: false`) and quits like `q`. Ink draws on a stream
 * without a height (see inkStdout) and the frame is one row shorter than the screen, so Ink never
 * clears the terminal to redraw; a resize clears the alternate screen and Ink draws it again for
 * the new size.
 */
export function renderDash(props: Omit<DashAppProps, 'onQuit' | 'terminal'>): LiveDash {
  const terminal = process.stdout
  let left = false
  const leave = () => {
    if (left) return
    left = true
    terminal.write(LEAVE_ALT_SCREEN)
  }
  terminal.write(ENTER_ALT_SCREEN)
  process.once('exit', leave)
  let stopped = false
  const stop = async () => {
    if (!stopped) {
      stopped = true
      instance.unmount()
    }
    await exited
  }
  const onResize = () => {
    terminal.write(CLEAR)
    instance.clear()
  }
  terminal.on('resize', onResize)
  const instance = render(<DashApp {...props} onQuit={() => void stop()} terminal={terminal} />, {
    exitOnCtrlC: false,
    patchConsole: true,
    stdout: inkStdout(terminal),
  })
  const exited = instance.waitUntilExit().then(
    () => undefined,
    () => undefined,
  )
  void exited.then(() => {
    terminal.off('resize', onResize)
    leave()
    process.off('exit', leave)
  })
  return {exited, stop}
}
