import {Command, Flags} from '@oclif/core'
import {stringifyJson} from '../util/json.js'
import {ObanError} from '../errors.js'
import {redactUrl} from '../db/connection-url.js'
import {unwrapFlagParse, usageErrorFrom, type CommandUsage} from './usage-errors.js'

/**
 * The base of every `oban` command. It owns the edge between the library and the terminal:
 * domain errors become one clear line and an exit code here (never a stack trace for a user
 * mistake), and resources registered with {@link BaseCommand.defer} are released LIFO whether
 * the command succeeded or failed.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    'database-url': Flags.string({
      summary: 'PostgreSQL URL to use instead of the embedded server (also DATABASE_URL or OBAN_DATABASE_URL).',
      helpValue: 'postgres://USER@HOST/DB',
    }),
    prefix: Flags.string({
      summary: "Schema that holds Oban's tables.",
      default: 'public',
      helpValue: 'SCHEMA',
    }),
  }

  private readonly releasers: (() => Promise<void> | void)[] = []

  /** Registers cleanup to run when the command ends (last registered runs first). */
  protected defer(release: () => Promise<void> | void): void {
    this.releasers.push(release)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    return super.catch(toCommandError(error, this.usage(), (stack) => this.logToStderr(stack)))
  }

  /** The command as usage messages name it (`oban job list`), with its flags for suggestions. */
  protected usage(): CommandUsage {
    const ctor = this.constructor as typeof Command
    const id = (this.id ?? '').split(':').join(' ')
    return {
      command: `${this.config?.bin ?? 'oban'}${id ? ` ${id}` : ''}`,
      flags: [...Object.keys(ctor.flags ?? {}), ...Object.keys(ctor.baseFlags ?? {})],
    }
  }

  /**
   * Every `--json` document, written with its integers exact: job ids beyond 2^53 are bigints
   * here and become JSON integers with all their digits (oclif's own writer re-parses the text
   * with `JSON.parse`, which would round them). Indented by two spaces, as oclif does.
   */
  override logJson(json: unknown): void {
    process.stdout.write(`${stringifyJson(json, 2) ?? 'null'}\n`)
  }

  /** `--json` errors: `{"error": {"code": "...", "message": "..."}}`, with no internals. */
  protected override toErrorJson(error: unknown): unknown {
    const e = error as {obanCode?: unknown; message?: unknown}
    return {error: {code: typeof e.obanCode === 'string' ? e.obanCode : 'error', message: String(e.message ?? error)}}
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    while (this.releasers.length > 0) {
      const release = this.releasers.pop()
      try {
        await release?.()
      } catch (releaseError) {
        this.warn(`cleanup failed: ${(releaseError as Error).message}`)
      }
    }
    return super.finally(error)
  }
}

/**
 * Translates anything a command throws into what oclif prints: one line (never a stack trace
 * for a user mistake), with the exit code on both `exitCode` (read by oclif under --json) and
 * `oclif.exit` (read by its error handler otherwise).
 */
function toCommandError(
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
