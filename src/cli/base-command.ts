import {Command, Flags} from '@oclif/core'
import {ObanError} from '../errors.js'
import {redactUrl} from '../db/connection-url.js'

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
    if (error instanceof ObanError) {
      return super.catch(Object.assign(new Error(error.message), {oclif: {exit: error.exitCode}, code: error.code}))
    }
    // oclif's own errors (bad flags, unknown command, this.exit) already carry their exit code.
    if ('oclif' in error) return super.catch(error)
    // Anything else is a bug or an environment failure: one line by default, the stack with DEBUG=oban.
    const message = redactUrl(error.message || String(error))
    if (process.env.DEBUG?.includes('oban')) this.logToStderr(error.stack ?? message)
    return super.catch(Object.assign(new Error(message), {oclif: {exit: 1}}))
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
