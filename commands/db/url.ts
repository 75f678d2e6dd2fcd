import {EmbeddedCommand} from '../../src/cli/embedded-command.js'
import {embeddedDatabaseUrl, refuseExternalUrl} from '../../src/cli/embedded-server.js'
import {dataDirFlag} from '../../src/cli/flags.js'

export default class DbUrl extends EmbeddedCommand {
  static override summary = 'Print the URL of the embedded PostgreSQL, starting it if needed.'
  static override description = `Prints only the URL (postgres://postgres@127.0.0.1:PORT/postgres), so that it can be used as in \`psql "$(oban db url)"\`. Whoever asks for the URL is about to connect, so a stopped server is started first (and created on first use), as any command that needs the database does. The URL names the embedded server even when DATABASE_URL is set.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'psql "$(<%= config.bin %> <%= command.id %>)"',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override enableJsonFlag = true

  static override flags = {
    'data-dir': dataDirFlag,
  }

  async run(): Promise<{url: string}> {
    const {flags} = await this.parse(DbUrl)
    refuseExternalUrl('url', flags['database-url'])
    const url = await embeddedDatabaseUrl({dataDir: flags['data-dir']})
    this.log(url)
    return {url}
  }
}
