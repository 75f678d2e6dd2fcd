import {EmbeddedCommand} from '../../src/cli/embedded-command.js'
import {describeDbStatus, readDbStatus, type DbStatusJson} from '../../src/cli/embedded-server.js'
import {dataDirFlag} from '../../src/cli/flags.js'

export type {DbStatusJson}

export default class DbStatus extends EmbeddedCommand {
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
    const status = await readDbStatus(flags)
    for (const line of describeDbStatus(status)) this.log(line)
    return status
  }
}
