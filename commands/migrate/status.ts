import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {validatePrefix} from '../../src/db/identifier.js'
import {checkConnection, createPool} from '../../src/db/pool.js'
import {resolveDatabase} from '../../src/db/resolve-database.js'
import {describeStatus, jsonVersion, migrationStatus, type MigrationStatus} from '../../src/db/migrations/index.js'

/** `--json` output: one entry per schema, with an externally managed version shown as "∞". */
export type MigrateStatusJson = (Omit<MigrationStatus, 'version'> & {version: number | string})[]

export default class MigrateStatus extends BaseCommand {
  static override summary = "Show the schema version of Oban's tables."
  static override description = `Prints one line per schema that has an oban_jobs table (or for --prefix only): its version, read from the comment on oban_jobs as Oban reads it, and whether it is outdated. Without any Oban tables it reports public at version 0.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --prefix jobs',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override enableJsonFlag = true

  static override flags = {
    // Overrides the base flag: no default, because without it every schema is reported.
    prefix: Flags.string({
      summary: "Schema to report on (default: every schema that holds Oban's tables).",
      helpValue: 'SCHEMA',
    }),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<MigrateStatusJson> {
    const {flags} = await this.parse(MigrateStatus)
    const prefix = flags.prefix === undefined ? undefined : validatePrefix(flags.prefix)
    const {url} = await resolveDatabase({databaseUrl: flags['database-url'], dataDir: flags['data-dir']})
    const pool = createPool(url, {allowExitOnIdle: true, max: 1})
    this.defer(() => pool.end())
    await checkConnection(pool, url)
    const statuses = await migrationStatus(pool, {prefix})
    for (const status of statuses) this.log(describeStatus(status))
    return statuses.map((status) => ({...status, version: jsonVersion(status.version)}))
  }
}
