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
  /** Waits until the screen matches; fails with the screen after `timeoutMs`. */
  waitFor(pattern: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>
  keys(...keys: string[]): void
}

export interface Terminal {
  /**
   * Runs `oban ARGS` in a new 120x50 session named `name`, from `cwd`. CI and
   * CONTINUOUS_INTEGRATION are removed from the child's environment: this is the interactive path.
   * When the command ends the pane prints `EXIT=<code>` and stays open.
   */
  oban(name: string, args: string[], options: {cwd: string}): Pane
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
      const command = [
        'env -u CI -u CONTINUOUS_INTEGRATION',
        `${quote(process.execPath)} ${quote(BIN)}`,
        ...args.map(quote),
        '; echo EXIT=$?; sleep 600',
      ].join(' ')
      started = true
      tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '50', '-c', options.cwd, command)
      const screen = () => tmux('capture-pane', '-p', '-t', name).replace(/\s+$/, '')
      return {
        screen,
        async waitFor(pattern, timeoutMs = 30_000) {
          const matches = typeof pattern === 'function' ? pattern : (s: string) => pattern.test(s)
          let text = ''
          try {
            await waitFor(() => matches((text = screen())), {timeoutMs, intervalMs: 100})
          } catch {
            throw new Error(`the pane never showed ${String(pattern)}:\n${text}`)
          }
          return text
        },
        keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
      }
    },
  }
}
