import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {BIN, cliEnv} from './cli.js'

/** util-linux `script`: runs a command on a pseudo-terminal (the tests skip themselves without it). */
export const SCRIPT = '/usr/bin/script'
export const hasScript = existsSync(SCRIPT)

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`

/**
 * Runs `oban ARGV` on a pseudo-terminal, so stdin, stdout and stderr are all TTYs as in an
 * interactive shell (`cols` wide, default 160), typing `input` once a `[y/N]` question is on the screen (typed earlier, the
 * terminal would echo it first). Resolves with the exit code and everything the terminal showed.
 */
export function obanOnTerminal(
  argv: string[],
  options: {input?: string; cwd?: string; env?: Record<string, string>; cols?: number} = {},
): Promise<{code: number | null; screen: string}> {
  const command = [process.execPath, BIN].concat(argv).map(quote).join(' ')
  const child = spawn(SCRIPT, ['-qec', `stty cols ${options.cols ?? 160}; ${command}`, '/dev/null'], {
    cwd: options.cwd,
    env: cliEnv({NO_COLOR: '1', ...options.env}),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let input = options.input ?? ''
  let screen = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk
    if (input && screen.includes('[y/N]')) {
      child.stdin.write(input)
      input = ''
    }
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({code, screen: screen.replaceAll('\r\n', '\n')})))
}
