import {ObanError} from '../errors.js'
import {redactUrl} from '../db/connection-url.js'
import {unwrapFlagParse, usageErrorFrom, type CommandUsage} from './usage-errors.js'

// Imported by BaseCommand only when a command fails, so that a command that succeeds loads none of
// the usage messages' machinery (typo suggestions among them).

/**
 * Translates anything a command throws into what oclif prints: one line (never a stack trace
 * for a user mistake), with the exit code on both `exitCode` (read by oclif under --json) and
 * `oclif.exit` (read by its error handler otherwise).
 */
export function toCommandError(
  error: Error & {exitCode?: number},
  usage: CommandUsage,
  logStack: (stack: string) => void,
): Error {
  // A custom flag's parse may throw ours; oclif has then wrapped its message in three lines.
  if (error instanceof ObanError)
    return commandError(unwrapFlagParse(error.commandLineMessage ?? error.message), error.exitCode, error.code)
  // oclif's parse errors (a bad flag value, an unknown flag, a missing argument): one line, exit 2.
  const usageError = usageErrorFrom(error, usage)
  if (usageError) return commandError(usageError.message, usageError.exitCode, usageError.code)
  // Its other errors (this.exit, --json conflicts) already carry their exit code.
  if ('oclif' in error) {
    const exit = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (exit !== undefined) error.exitCode ??= exit
    return error
  }
  // Anything else is a bug or an environment failure: one line by default, the stack with DEBUG=oban.
  const message = redactUrl(error.message || String(error))
  if (process.env.DEBUG?.includes('oban')) logStack(error.stack ?? message)
  return commandError(
    message,
    1,
    (error as {code?: unknown}).code === undefined ? 'error' : String((error as {code?: unknown}).code),
  )
}

function commandError(message: string, exit: number, code: string): Error {
  return Object.assign(new Error(message), {exitCode: exit, obanCode: code, oclif: {exit}})
}
