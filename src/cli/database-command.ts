import {Flags} from '@oclif/core'
import type {ChalkInstance} from 'chalk'
import {verifyMigrated} from '../db/migrations/index.js'
import {checkConnection, createPool, type Pool} from '../db/pool.js'
import {resolveDatabase} from '../db/resolve-database.js'
import {BaseCommand} from './base-command.js'
import {outputColors} from './colors.js'
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

type DatabaseFlags = {prefix: string; 'database-url'?: string; 'data-dir'?: string}

/**
 * The base of the commands that read or change jobs and report on nodes (`oban job ...`, `oban
 * queue list`, `oban status`): `--json`, colour and terminal detection, and a short-lived
 * connection to a migrated schema, released when the command ends. A database without Oban's tables, or an unreachable one, is one line, exit 1.
 */
export abstract class DatabaseCommand extends BaseCommand {
  static override enableJsonFlag = true

  /** Connects (starting the embedded server if that is the database and it is not running). */
  protected async connect(flags: DatabaseFlags): Promise<Pool> {
    return (await this.open(flags)).pool
  }

  /**
   * Connects, and returns the URL too (for messages, through `describeDatabase`). `embedded:
   * 'running'` uses the embedded server only if it runs (see resolveDatabase), for commands about
   * running nodes, where starting an empty server could only mislead.
   */
  protected async open(
    flags: DatabaseFlags,
    options: {embedded?: 'start' | 'running'} = {},
  ): Promise<{pool: Pool; url: string}> {
    const {url} = await resolveDatabase({
      databaseUrl: flags['database-url'],
      dataDir: flags['data-dir'],
      embedded: options.embedded,
    })
    // Two connections: the queue overview and the status run their statements side by side.
    const pool = createPool(url, {allowExitOnIdle: true, max: 2})
    this.defer(() => pool.end())
    await checkConnection(pool, url)
    await verifyMigrated(pool, flags.prefix)
    return {pool, url}
  }

  /** How to draw for this stdout: a table on a terminal (cut to its width), plain text otherwise. */
  protected view(flags: {color?: boolean}): ViewStyle {
    const tty = Boolean(process.stdout.isTTY)
    return {tty, colors: this.colors(flags), now: new Date(), width: tty ? process.stdout.columns : undefined}
  }

  protected colors(flags: {color?: boolean}): ChalkInstance {
    return outputColors({color: flags.color})
  }
}
