import {Flags} from '@oclif/core'
import {DatabaseCommand} from '../../src/cli/database-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {
  CURRENT_VERSION,
  describeDown,
  migrateSchemaDown,
  parseMigrateDown,
  type MigrationResult,
} from '../../src/cli/migrate-schema.js'

export default class MigrateDown extends DatabaseCommand {
  static override summary = "Roll Oban's tables back to an earlier schema version."
  static override description = `Leaves the schema AT the given version: undoes the migrations above it, newest first, in one transaction, and records the version on oban_jobs. --version 0 removes Oban's tables and enum type (the schema itself stays).

Oban's own down(version: N) names the oldest migration to undo and so leaves N - 1; \`oban migrate down --version N\` is Oban's down(version: N + 1).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --version 11',
    '<%= config.bin %> <%= command.id %> --version 0 --prefix jobs',
    '<%= config.bin %> <%= command.id %> --version 13 --database-url postgres://postgres@127.0.0.1:5432/app --json',
  ]

  static override flags = {
    version: Flags.integer({
      summary: `Schema version to leave the tables at (0 to ${CURRENT_VERSION - 1}, below the current one).`,
      required: true,
      helpValue: 'N',
    }),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<MigrationResult> {
    const {flags} = await this.parse(MigrateDown)
    const request = parseMigrateDown(flags)
    const db = await this.open(flags, {schema: 'any'})
    const result = await migrateSchemaDown(db, request)
    this.log(describeDown(result))
    return result
  }
}
