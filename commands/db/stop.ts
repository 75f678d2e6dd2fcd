import {BaseCommand} from '../../src/cli/base-command.js'
import {stopEmbedded, type EmbeddedStopResult} from '../../src/cli/embedded-server.js'
import {dataDirFlag} from '../../src/cli/flags.js'

export default class DbStop extends BaseCommand {
  static override summary = 'Stop the embedded PostgreSQL.'
  static override description = `Shuts the server of the data directory (<project>/.oban, --data-dir or OBAN_DATA_DIR) down cleanly: connected clients, running Oban instances included, are disconnected. The data is kept; the next command that needs the database starts it again. Stopping a server that is not running succeeds and says so.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --data-dir /var/lib/oban',
  ]

  static override enableJsonFlag = true

  static override flags = {
    'data-dir': dataDirFlag,
  }

  async run(): Promise<EmbeddedStopResult> {
    const {flags} = await this.parse(DbStop)
    const result = await stopEmbedded({dataDir: flags['data-dir']})
    this.log(
      result.stopped
        ? `Stopped the embedded PostgreSQL (pid ${result.pid}) in ${result.dataDir}.`
        : `The embedded PostgreSQL in ${result.dataDir} is not running.`,
    )
    return result
  }
}
