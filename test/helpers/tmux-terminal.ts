import {execFileSync, spawnSync} from 'node:child_process'
import {afterAll, inject} from 'vitest'
import {BIN, RUN_MARKER} from './cli.js'

/**
 * A real terminal of a given size for `oban` (tmux, on a socket of its own per test file), that
 * tests can resize and read with or without escape codes, scrollback included. Like tmux.ts's
 * tmuxOban, but sized, resizable and with an environment; its server is killed after the file's
 * tests (registered when the file first calls {@link tmuxTerminal}, at the file's top level).
 */

export interface SizedPane {
  /** The visible screen, trailing blank lines removed. */
  screen(): string
  /** The visible screen with its escape codes (colours). */
  screenWithEscapes(): string
  /** The scrollback and the screen. */
  history(): string
  /** Waits until `check` holds for the screen; fails with the screen (and `why`) after `timeoutMs`. */
  waitFor(check: RegExp | ((screen: string) => boolean | string), timeoutMs?: number): Promise<string>
  keys(...keys: string[]): void
  /** Resizes the terminal (its window), as a user dragging it would. */
  resize(columns: number, rows: number): void
}

let registered: string | undefined

/** Registers the server's cleanup; call at the top level of the test file. */
export function tmuxServer(): string {
  if (registered) return registered
  const socket = `oban-sized-${process.pid}`
  registered = socket
  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server'])
  })
  return socket
}

/**
 * Runs `oban ARGS` in a detached tmux session `columns`x`rows` from `cwd`, with `env` added (CI
 * variables removed: this is the interactive path). When the command ends the pane prints
 * `EXIT=<code>` and stays open. The window size is manual, so resize() is what the pane gets.
 */
export function tmuxTerminal(
  name: string,
  args: string[],
  options: {cwd: string; columns: number; rows: number; env?: Record<string, string>},
): SizedPane {
  const socket = tmuxServer()
  const tmux = (...argv: string[]) => execFileSync('tmux', ['-L', socket, ...argv], {encoding: 'utf8'})
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${quote(value)}`)
  const command = [
    `env -u CI -u CONTINUOUS_INTEGRATION -u NODE_ENV OCLIF_COLUMNS=1000 ${RUN_MARKER}=${quote(inject('runId'))}`,
    ...env,
    `${quote(process.execPath)} ${quote(BIN)}`,
    ...args.map(quote),
    '; echo EXIT=$?; sleep 600',
  ].join(' ')
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(options.columns),
    '-y',
    String(options.rows),
    '-c',
    options.cwd,
    command,
  )
  tmux('set-option', '-t', name, 'window-size', 'manual')
  tmux('set-option', '-t', name, 'history-limit', '20000')
  const screen = () => tmux('capture-pane', '-p', '-t', name).replace(/\s+$/, '')
  return {
    screen,
    screenWithEscapes: () => tmux('capture-pane', '-p', '-e', '-t', name).replace(/\s+$/, ''),
    history: () => tmux('capture-pane', '-p', '-S', '-', '-t', name).replace(/\s+$/, ''),
    async waitFor(check, timeoutMs = 30_000) {
      const test = typeof check === 'function' ? check : (s: string) => check.test(s)
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const text = screen()
        const last = test(text)
        if (last === true) return text
        if (Date.now() > deadline)
          throw new Error(
            `the pane never showed ${typeof check === 'function' ? 'what was expected' : String(check)}${typeof last === 'string' ? ` (${last})` : ''}:\n${text}`,
          )
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
    resize: (columns, rows) => void tmux('resize-window', '-t', name, '-x', String(columns), '-y', String(rows)),
  }
}
