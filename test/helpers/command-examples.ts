import {run} from '@oclif/core'
import {captureOutput} from '@oclif/test'

/**
 * Runs `oban ARGV` in process, as @oclif/test's runCommand does, but with the argv as given:
 * runCommand joins its array with spaces and splits it again, which breaks values that contain
 * spaces or quotes (JSON flags).
 */
export function runArgv(root: string, argv: string[]) {
  return captureOutput(() => run(argv, {root}))
}

/**
 * The argv of a command's `static examples`: the `<%= config.bin %> <%= command.id %>` prefix
 * replaced by the command id's words, the rest split as a POSIX shell would split these simple
 * lines (single and double quotes, no escapes or expansions).
 */
export function exampleArgv(commandId: string, example: string): string[] {
  const prefix = '<%= config.bin %> <%= command.id %>'
  if (!example.startsWith(prefix)) throw new Error(`example does not start with ${prefix}: ${example}`)
  const tokens: string[] = []
  let current: string | undefined
  let quote: string | undefined
  for (const char of example.slice(prefix.length)) {
    if (quote) {
      if (char === quote) quote = undefined
      else current += char
    } else if (char === "'" || char === '"') {
      quote = char
      current ??= ''
    } else if (/\s/.test(char)) {
      if (current !== undefined) tokens.push(current)
      current = undefined
    } else current = (current ?? '') + char
  }
  if (quote) throw new Error(`unbalanced quote in example: ${example}`)
  if (current !== undefined) tokens.push(current)
  return [...commandId.split(' '), ...tokens]
}

/** The exit code an @oclif/test `runCommand` error carries (undefined when it succeeded). */
export const exitOf = (error: unknown) => (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit

/** Relative times (`42s ago`, `in 5m`, `2h 3m ago`) replaced by `<t>`, so output can be compared exactly. */
export function withoutRelativeTimes(text: string): string {
  // `now` is what a time less than a second away reads as (a fast run renders it).
  return text.replace(/\b(in )?\d+(ms|[smhd])( \d+[smhd])?( ago)?|(?<=^|\s)now(?=\s|$)/g, '<t>')
}

/**
 * The cells of plain table output (columns are separated by two or more spaces), with relative
 * times replaced by `<t>`: compares rows exactly while times and padding move.
 */
export function plainCells(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) =>
      withoutRelativeTimes(line)
        .trim()
        .split(/\s{2,}/),
    )
}

/**
 * The exit code a command set under --json: oclif prints the JSON error and sets
 * process.exitCode instead of throwing. Reset here, or the test run itself would exit with it.
 */
export function takeExitCode(): number | string | undefined {
  const code = process.exitCode
  process.exitCode = undefined
  return code ?? undefined
}
