import {EmbeddedCommand} from '../../src/cli/embedded-command.js'
import {Flags} from '@oclif/core'
import {refuseExternalUrl, stopEmbeddedForUser, type EmbeddedStopResult} from '../../src/cli/embedded-server.js'
import {dataDirFlag} from '../../src/cli/flags.js'

export default class DbStop extends EmbeddedCommand {
  static override summary = 'Stop the embedded PostgreSQL.'
  static override description = `Shuts the server of the data directory (<project>/.oban, --data-dir or OBAN_DATA_DIR) down cleanly: connected clients, running Oban instances included, are disconnected, so it first says who is connected and asks (on a terminal) or refuses (elsewhere) unless --force is given. The data is kept; the next command that needs the database starts it again. Stopping a server that is not running succeeds and says so.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --data-dir /var/lib/oban',
  ]

  static override enableJsonFlag = true

  static override flags = {
    force: Flags.boolean({summary: 'Stop it even while nodes or other clients are connected, without asking.'}),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<EmbeddedStopResult> {
    const {flags} = await this.parse(DbStop)
    refuseExternalUrl('stop', flags['database-url'])
    const result = await stopEmbeddedForUser({dataDir: flags['data-dir'], force: flags.force})
    this.log(
      result.stopped
        ? `Stopped the embedded PostgreSQL (pid ${result.pid}) in ${result.dataDir}.`
        : `The embedded PostgreSQL in ${result.dataDir} is not running.`,
    )
    return result
  }
}
