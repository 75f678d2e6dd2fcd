import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll} from 'vitest'
import {BIN, cliEnv} from './cli.js'
import {waitFor} from './wait.js'

/** Whether tmux can be run here (the real-terminal tests skip themselves otherwise). */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0

export interface Pane {
  /** The visible screen, trailing blank lines removed. */
  screen(): string
  /** The visible screen with its escape codes (colours). */
  screenWithEscapes(): string
  /** The scrollback and the screen. */
  history(): string
  /**
   * Waits until the screen matches (a check may return a string: why not yet, shown on failure);
   * fails with the screen after `timeoutMs`.
   */
  waitFor(pattern: RegExp | ((screen: string) => boolean | string), timeoutMs?: number): Promise<string>
  keys(...keys: string[]): void
  /** Resizes the terminal (its window), as a user dragging it would. */
  resize(columns: number, rows: number): void
}

export interface PaneOptions {
  cwd: string
  /** The terminal's size (default 120x50); the window size is manual, so resize() is what it gets. */
  columns?: number
  rows?: number
  /** Added to the command's environment. */
  env?: Record<string, string>
}

export interface Terminal {
  /**
   * Runs `oban ARGS` in a new session named `name`, from `cwd`. CI and CONTINUOUS_INTEGRATION are
   * removed from the child's environment: this is the interactive path. When the command ends the
   * pane prints `EXIT=<code>` and stays open.
   */
  oban(name: string, args: string[], options: PaneOptions): Pane
}

/**
 * Real terminals for the calling test file (call at its top level): a tmux server of its own, on
 * a private socket in a temporary directory, started with the first session and killed after the
 * file's tests, whatever happened in them. Its processes carry the run's marker, so the global teardown would still
 * find them if this file's worker died before its afterAll.
 */
export function tmuxTerminal(): Terminal {
  const dir = mkdtempSync(join(tmpdir(), 'oban-tmux-'))
  const socket = join(dir, 'socket')
  const env = cliEnv()
  const tmux = (...argv: string[]) => execFileSync('tmux', ['-S', socket, ...argv], {encoding: 'utf8', env})
  let started = false
  afterAll(() => {
    if (started) spawnSync('tmux', ['-S', socket, 'kill-server'])
    // tmux leaves its socket file behind when its server is killed.
    rmSync(dir, {recursive: true, force: true})
  })
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  return {
    oban(name, args, options) {
      const {columns = 120, rows = 50} = options
      const command = [
        'env -u CI -u CONTINUOUS_INTEGRATION',
        ...Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${quote(value)}`),
        `${quote(process.execPath)} ${quote(BIN)}`,
        ...args.map(quote),
        '; echo EXIT=$?; sleep 600',
      ].join(' ')
      started = true
      tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), '-c', options.cwd, command)
      tmux('set-option', '-t', name, 'window-size', 'manual')
      tmux('set-option', '-t', name, 'history-limit', '20000')
      const capture = (...flags: string[]) => tmux('capture-pane', '-p', ...flags, '-t', name).replace(/\s+$/, '')
      const screen = () => capture()
      return {
        screen,
        screenWithEscapes: () => capture('-e'),
        history: () => capture('-S', '-'),
        async waitFor(pattern, timeoutMs = 30_000) {
          const check = typeof pattern === 'function' ? pattern : (s: string) => pattern.test(s)
          let text = ''
          let last = false as boolean | string
          try {
            await waitFor(() => (last = check((text = screen()))) === true, {timeoutMs, intervalMs: 100})
          } catch {
            const what = typeof pattern === 'function' ? 'what was expected' : String(pattern)
            throw new Error(`the pane never showed ${what}${typeof last === 'string' ? ` (${last})` : ''}:\n${text}`)
          }
          return text
        },
        keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
        resize: (cols, lines) => void tmux('resize-window', '-t', name, '-x', String(cols), '-y', String(lines)),
      }
    },
  }
}
