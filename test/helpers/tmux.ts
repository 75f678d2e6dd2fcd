import {execFileSync, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {afterAll} from 'vitest'
import {REPO} from './e2e.js'

/** Whether tmux can be run here (the real-terminal tests skip themselves otherwise). */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0

const TSX = join(REPO, 'node_modules/tsx/dist/loader.mjs')
const BIN = join(REPO, 'bin/run.js')

export interface Pane {
  /** The visible screen, trailing blank lines removed. */
  screen(): string
  /** Waits until the screen matches; fails with the screen after `timeoutMs`. */
  waitFor(pattern: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>
  keys(...keys: string[]): void
}

/**
 * Runs `oban ARGS` in a real terminal: a detached tmux session on a private socket (its own tmux
 * server, killed after the file's tests), 120x50, from `cwd`. CI and CONTINUOUS_INTEGRATION are
 * removed from the child's environment: this is the interactive path. When the command ends the
 * pane prints `EXIT=<code>` and stays open.
 */
export function tmuxOban(name: string, args: string[], options: {cwd: string}): Pane {
  const socket = `oban-test-${process.pid}`
  const tmux = (...argv: string[]) => execFileSync('tmux', ['-L', socket, ...argv], {encoding: 'utf8'})
  if (!servers.has(socket)) {
    servers.add(socket)
    afterAll(() => {
      spawnSync('tmux', ['-L', socket, 'kill-server'])
    })
  }
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  const command = [
    'env -u CI -u CONTINUOUS_INTEGRATION NODE_ENV=test OCLIF_COLUMNS=1000',
    `${quote(process.execPath)} --import ${quote(TSX)} ${quote(BIN)}`,
    ...args.map(quote),
    '; echo EXIT=$?; sleep 600',
  ].join(' ')
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '50', '-c', options.cwd, command)
  const screen = () => tmux('capture-pane', '-p', '-t', name).replace(/\s+$/, '')
  return {
    screen,
    async waitFor(pattern, timeoutMs = 30_000) {
      const matches = typeof pattern === 'function' ? pattern : (s: string) => pattern.test(s)
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const text = screen()
        if (matches(text)) return text
        if (Date.now() > deadline) throw new Error(`the pane never showed ${String(pattern)}:\n${text}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
  }
}

const servers = new Set<string>()
