import {UsageError} from '../errors.js'
import {suggest} from '../util/suggest.js'

/** What a usage message needs to know about the command that was run. */
export interface CommandUsage {
  /** `oban job list`, for "see `oban job list --help`". */
  command: string
  /** The command's flag names, without dashes, for suggestions. */
  flags: readonly string[]
}

// oclif wraps an error thrown while parsing a flag's value as "Parsing --NAME \n\t<message>\nSee
// more help with --help", on the error object itself (ours included).
const FLAG_PARSE = /^Parsing --(\S+)\s*\n\t([\s\S]*?)(?:\nSee more help with --help)?$/

/**
 * The one-line {@link UsageError} (exit code 2) for one of oclif's parse errors (a bad flag value,
 * an unknown flag, a missing flag or argument, an unexpected argument), or undefined when `error`
 * is not one. oclif's own messages take three lines, and an unknown flag prints the whole usage.
 */
export function usageErrorFrom(error: Error, usage: CommandUsage): UsageError | undefined {
  const help = `see \`${usage.command} --help\``
  const name = error.constructor?.name ?? ''
  const parsed = FLAG_PARSE.exec(error.message)
  if (parsed) return new UsageError(`--${parsed[1]}: ${flagValueReason(parsed[2]!.trim())}`)
  switch (name) {
    case 'NonExistentFlagsError': {
      const flags = ((error as {flags?: string[]}).flags ?? []).map((flag) => flag.replace(/=.*$/, ''))
      const first = flags[0] ?? '?'
      const hit = suggest(first.replace(/^-+/, ''), usage.flags)
      const mean = hit === undefined ? '' : ` (did you mean --${hit}?)`
      return new UsageError(
        `unknown flag${flags.length === 1 ? '' : 's'} ${flags.join(', ')}${mean}: ${help} for the flags it takes`,
      )
    }
    case 'UnexpectedArgsError': {
      const args = ((error as {args?: string[]}).args ?? []).map((a) => JSON.stringify(a))
      return new UsageError(`unexpected argument${args.length === 1 ? '' : 's'} ${args.join(', ')}: ${help}`)
    }
    case 'RequiredArgsError': {
      const args = ((error as {args?: {name: string}[]}).args ?? []).map((a) => a.name.toUpperCase())
      return new UsageError(`missing argument ${args.join(', ')}: ${help}`)
    }
    case 'FailedFlagValidationError':
    case 'ViolatedFlagConstraintError': {
      const reasons = stripAnsi(error.message)
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('See more help'))
        .map((reason) => reason.replace(/^Missing required flag (\S+)$/, 'missing required flag --$1'))
      return new UsageError(`${reasons.join('; ')}: ${help}`)
    }
    case 'FlagInvalidOptionError':
    case 'ArgInvalidOptionError':
      return new UsageError(`${firstLine(error.message)}: ${help}`)
    default:
      // Any other parse error of oclif's (`Flag --node expects a value`): its first line.
      if ('parse' in error || /^Flag --\S+ expects a value/.test(error.message))
        return new UsageError(`${firstLine(error.message)}: ${help}`)
      return undefined
  }
}

/** An ObanError thrown by a custom flag's parse: its own message, without oclif's wrapping. */
export function unwrapFlagParse(message: string): string {
  const parsed = FLAG_PARSE.exec(message)
  return parsed ? parsed[2]!.trim() : message
}

/** oclif's integer messages, in our style: `expected an integer, got "abc"`. */
function flagValueReason(message: string): string {
  const integer = /^Expected an integer(?: (greater|less) than or equal to (-?\d+))? but received: ([\s\S]*)$/.exec(
    message,
  )
  if (!integer) return message
  const bound =
    integer[1] === undefined ? '' : ` ${integer[1] === 'greater' ? 'of at least' : 'of at most'} ${integer[2]}`
  return `expected an integer${bound}, got ${JSON.stringify(integer[3])}`
}

function firstLine(text: string): string {
  return stripAnsi(text).split('\n')[0] ?? text
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;]*m/g, '')
}
