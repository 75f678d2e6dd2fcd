import {BaseCommand} from '../../src/cli/base-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {describeDatabase} from '../../src/db/connection-url.js'
import {embeddedStatus, type EmbeddedStatus} from '../../src/db/embedded/index.js'

/** `--json` output: the embedded server's state, plus the external database other commands would use instead. */
export type DbStatusJson = EmbeddedStatus & {
  external: {source: '--database-url' | 'DATABASE_URL' | 'OBAN_DATABASE_URL'; database: string} | null
}

export default class DbStatus extends BaseCommand {
  static override summary = 'Show whether the embedded PostgreSQL is set up and running.'
  static override description = `Reads the data directory (<project>/.oban, --data-dir or OBAN_DATA_DIR) and the server's postmaster.pid; it starts and changes nothing. When --database-url, DATABASE_URL or OBAN_DATABASE_URL is set, other commands use that database instead, and this says so. Problems that would stop the server from starting (a corrupt data directory, another PostgreSQL major version) are reported, not raised.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --data-dir /var/lib/oban',
  ]

  static override enableJsonFlag = true

  static override flags = {
    'data-dir': dataDirFlag,
  }

  async run(): Promise<DbStatusJson> {
    const {flags} = await this.parse(DbStatus)
    const status = await embeddedStatus({dataDir: flags['data-dir']})
    const external = externalDatabase(flags['database-url'])
    if (external) {
      this.log(
        `External database configured (${external.source}): ${external.database}. Commands use it, not the embedded server.`,
      )
    }
    if (status.running) {
      this.log(
        `Embedded PostgreSQL ${status.pgVersion} is running (pid ${status.pid}) at ${status.url} (data: ${status.dataDir}).`,
      )
    } else if (status.initialized) {
      this.log(
        `Embedded PostgreSQL is stopped (data: ${status.dataDir}). It starts on first use, or with \`oban db start\`.`,
      )
    } else {
      this.log(
        `No embedded PostgreSQL in ${status.dataDir} yet. It is created on first use, or with \`oban db start\`.`,
      )
    }
    if (status.problem) this.log(`Problem: ${status.problem}`)
    return {...status, external}
  }
}

function externalDatabase(flag: string | undefined): DbStatusJson['external'] {
  if (flag) return {source: '--database-url', database: describeDatabase(flag)}
  for (const name of ['DATABASE_URL', 'OBAN_DATABASE_URL'] as const) {
    const value = process.env[name]
    if (value) return {source: name, database: describeDatabase(value)}
  }
  return null
}
