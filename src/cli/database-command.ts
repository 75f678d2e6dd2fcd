import {Flags} from '@oclif/core'
import type {ChalkInstance} from 'chalk'
import {describeDatabase} from '../db/connection-url.js'
import {verifyMigrated} from '../db/migrations/verify.js'
import {checkConnection, createPool, toUnreachable, type Pool} from '../db/pool.js'
import {resolveDatabase} from '../db/resolve-database.js'
import {BaseCommand} from './base-command.js'
import {outputColors} from './colors.js'
import {ObanError} from '../errors.js'
import {embeddedStartLine} from './embedded-start-line.js'
import {dataDirFlag} from './flags.js'
import type {ViewStyle} from './format-jobs.js'

/** Flags every database-reading operator command has, besides --database-url and --prefix. */
export const outputFlags = {
  color: Flags.boolean({
    summary: 'Colour the output (default: on a colour terminal unless NO_COLOR is set); --no-color turns it off.',
    allowNo: true,
  }),
  'data-dir': dataDirFlag,
}

/** `--wide`: tables on a terminal keep every cell whole instead of fitting its width. */
export const wideFlag = Flags.boolean({
  summary:
    'On a terminal, show every column whole instead of cutting the table to its width (pipes always get it whole).',
})

/** The flags that say which database a command uses; `prefix` is optional only for `oban migrate status`. */
export type DatabaseFlags = {prefix?: string; 'database-url'?: string; 'data-dir'?: string}

export interface OpenOptions {
  /**
   * `start` (default): the embedded server is started if it is the database and is not running.
   * `running`: it is used only if it runs (see resolveDatabase), for commands about running nodes,
   * where starting an empty server could only mislead.
   */
  embedded?: 'start' | 'running'
  /**
   * `migrated` (default): a schema below Oban's current version is refused (SchemaNotMigratedError).
   * `any`: for the commands that read or change the version, and for the node list, which reads
   * only the presence table.
   */
  schema?: 'migrated' | 'any'
}

/** A command's connection to its database, released when the command ends. */
export interface CommandDatabase {
  pool: Pool
  url: string
  /** The database as messages name it (`host:port/db`, never credentials). */
  location: string
}

/**
 * The base of every command that connects to the database: `--json`, colour and terminal
 * detection, and the one way to open the database (see {@link DatabaseCommand.open}).
 */
export abstract class DatabaseCommand extends BaseCommand {
  static override enableJsonFlag = true

  /** The database this command uses, once resolved: a later connection failure names it. */
  private usedUrl: string | undefined

  /**
   * A connection lost after the first check (the server stopped mid-command, a LISTEN connection
   * refused) is the same one line as an unreachable database, not `connect ECONNREFUSED`.
   */
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    // Only errors of the driver or the socket: a domain error may well mention a "timeout".
    const translated =
      this.usedUrl === undefined || error instanceof ObanError ? error : toUnreachable(error, this.usedUrl)
    return super.catch(translated as Error & {exitCode?: number})
  }

  /**
   * The URL of the command's database: --database-url, then DATABASE_URL or OBAN_DATABASE_URL,
   * otherwise the embedded server. For work that opens a connection of its own (a LISTEN), pass
   * `direct`: OBAN_NOTIFIER_URL then wins, as the database URL may go through a pooler.
   */
  protected async databaseUrl(
    flags: DatabaseFlags,
    options: Pick<OpenOptions, 'embedded'> & {direct?: boolean} = {},
  ): Promise<string> {
    if (options.embedded !== 'running') {
      const line = await embeddedStartLine({databaseUrl: flags['database-url'], dataDir: flags['data-dir']})
      if (line) this.logToStderr(line)
    }
    const {url, directUrl} = await resolveDatabase({
      databaseUrl: flags['database-url'],
      dataDir: flags['data-dir'],
      embedded: options.embedded,
    })
    this.usedUrl = options.direct ? directUrl : url
    return this.usedUrl
  }

  /**
   * Opens a short-lived pool on the command's database, released when the command ends, after
   * checking that the server answers and (unless `schema: 'any'`) that `--prefix` is migrated.
   * An unreachable database or a schema without Oban's tables is one line, exit 1.
   */
  protected async open(flags: DatabaseFlags, options: OpenOptions = {}): Promise<CommandDatabase> {
    const url = await this.databaseUrl(flags, options)
    // Two connections: the queue overview and the status run their statements side by side.
    // Unnamed statements: a command's few queries gain nothing from preparing them, and its
    // URL may go through PgBouncer in transaction mode, which loses named ones.
    const pool = createPool(url, {allowExitOnIdle: true, max: 2, prepare: 'unnamed'})
    this.defer(() => pool.end())
    await checkConnection(pool, url)
    if (options.schema !== 'any') await verifyMigrated(pool, flags.prefix ?? 'public')
    return {pool, url, location: describeDatabase(url)}
  }

  /**
   * How to draw for this stdout: a table on a terminal, cut to its width unless `--wide`; plain
   * text otherwise, whole.
   */
  protected view(flags: {color?: boolean; wide?: boolean}): ViewStyle {
    const tty = Boolean(process.stdout.isTTY)
    const width = tty && !flags.wide ? process.stdout.columns : undefined
    return {tty, colors: this.colors(flags), now: new Date(), width}
  }

  protected colors(flags: {color?: boolean}): ChalkInstance {
    return outputColors({color: flags.color})
  }
}
