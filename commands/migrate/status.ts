import {Flags} from '@oclif/core'
import {DatabaseCommand} from '../../src/cli/database-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {
  describeStatus,
  migrateStatusJson,
  parseStatusPrefix,
  schemaVersions,
  type MigrateStatusJson,
} from '../../src/cli/migrate-schema.js'

export default class MigrateStatus extends DatabaseCommand {
  static override summary = "Show the schema version of Oban's tables."
  static override description = `Prints one line per schema that has an oban_jobs table (or for --prefix only): its version, read from the comment on oban_jobs as Oban reads it, and whether it is outdated. Without any Oban tables it reports public at version 0.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --prefix jobs',
    '<%= config.bin %> <%= command.id %> --json',
  ]

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
    const prefix = parseStatusPrefix(flags.prefix)
    const db = await this.open(flags, {schema: 'any'})
    const statuses = await schemaVersions(db, prefix)
    for (const status of statuses) this.log(describeStatus(status))
    return migrateStatusJson(statuses)
  }
}
