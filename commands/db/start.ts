import {EmbeddedCommand} from '../../src/cli/embedded-command.js'
import {refuseExternalUrl, startEmbeddedForUser, type EmbeddedServer} from '../../src/cli/embedded-server.js'
import {dataDirFlag} from '../../src/cli/flags.js'

export default class DbStart extends EmbeddedCommand {
  static override summary = 'Start the embedded PostgreSQL (creating it on first use).'
  static override description = `Creates the cluster in the data directory (<project>/.oban, --data-dir or OBAN_DATA_DIR) if there is none, then starts the server in the background on 127.0.0.1, on the port chosen when it was created. It keeps running after this command exits, until \`oban db stop\`. A server that already runs is left as it is. As root, the server runs as the user nobody.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --data-dir /var/lib/oban',
  ]

  static override enableJsonFlag = true

  static override flags = {
    'data-dir': dataDirFlag,
  }

  async run(): Promise<EmbeddedServer> {
    const {flags} = await this.parse(DbStart)
    refuseExternalUrl('start', flags['database-url'])
    if (process.env.DATABASE_URL || process.env.OBAN_DATABASE_URL) {
      this.warn('a database URL is configured, so other commands use that database, not this embedded server')
    }
    const server = await startEmbeddedForUser({dataDir: flags['data-dir']})
    this.log(
      server.startedByUs
        ? `Started the embedded PostgreSQL (pid ${server.pid}) at ${server.url} (data: ${server.dataDir}).`
        : `The embedded PostgreSQL is already running (pid ${server.pid}) at ${server.url} (data: ${server.dataDir}).`,
    )
    return server
  }
}
