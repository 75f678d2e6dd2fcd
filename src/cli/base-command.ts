import {Command, Flags} from '@oclif/core'
import type {CommandUsage} from './usage-errors.js'

// The JSON writer (lossless-json, 10 modules) and the error translation (usage messages, typo
// suggestions, URL redaction) are imported when a command needs them: with --json (init), when it
// fails (catch). A command that succeeds without --json, most runs, loads neither.
type JsonWriter = (value: unknown, space?: number) => string | undefined

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
  private writeJson: JsonWriter | undefined

  /** Registers cleanup to run when the command ends (last registered runs first). */
  protected defer(release: () => Promise<void> | void): void {
    this.releasers.push(release)
  }

  override async init(): Promise<void> {
    await super.init()
    if (this.jsonEnabled()) await this.loadJsonWriter()
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    const {toCommandError} = await import('./command-error.js')
    // oclif's catch writes the error document itself under --json, which init may not have reached.
    if (this.jsonEnabled()) await this.loadJsonWriter()
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
    // Loaded by init or catch whenever --json is on; oclif writes JSON for no other reason.
    if (!this.writeJson) throw new Error('logJson before the JSON writer was loaded')
    process.stdout.write(`${this.writeJson(json, 2) ?? 'null'}\n`)
  }

  private async loadJsonWriter(): Promise<void> {
    this.writeJson ??= (await import('../util/json.js')).stringifyJson
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
