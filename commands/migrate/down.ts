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

It confirms first, saying what is dropped and how many jobs go with it: on a terminal it asks; anywhere else it refuses (exit code 2) unless --yes is given. Declining changes nothing (exit code 1).

Oban's own down(version: N) names the oldest migration to undo and so leaves N - 1; \`oban migrate down --version N\` is Oban's down(version: N + 1).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --version 11',
    '<%= config.bin %> <%= command.id %> --version 0 --prefix jobs --yes',
    '<%= config.bin %> <%= command.id %> --version 13 --database-url postgres://postgres@127.0.0.1:5432/app --yes --json',
  ]

  static override flags = {
    version: Flags.integer({
      summary: `Schema version to leave the tables at (0 to ${CURRENT_VERSION - 1}, below the current one).`,
      required: true,
      helpValue: 'N',
    }),
    yes: Flags.boolean({
      char: 'y',
      summary: 'Do not ask for confirmation (required off a terminal).',
    }),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<MigrationResult> {
    const {flags} = await this.parse(MigrateDown)
    const request = parseMigrateDown(flags)
    const db = await this.open(flags, {schema: 'any'})
    const result = await migrateSchemaDown(db, request, {yes: flags.yes})
    this.log(describeDown(result))
    return result
  }
}
