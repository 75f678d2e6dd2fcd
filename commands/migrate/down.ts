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
  static override description = `Give exactly one of:

  --to N       leave the schema AT version N: undo the migrations above it. --to 0 removes Oban's tables and enum type (the schema itself stays).
  --version N  as Oban's down(version: N): undo the migrations down to AND INCLUDING N, leaving N - 1. --version 1 removes Oban's tables.

So --to 11 and --version 12 both undo 14, 13 and 12. The migrations are undone newest first, in one transaction, and the version left is recorded on oban_jobs.

It confirms first, saying what is dropped and how many jobs go with it: on a terminal it asks; anywhere else it refuses (exit code 2) unless --yes is given. Declining changes nothing (exit code 1).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --to 11',
    '<%= config.bin %> <%= command.id %> --version 12',
    '<%= config.bin %> <%= command.id %> --to 0 --prefix jobs --yes',
    '<%= config.bin %> <%= command.id %> --to 13 --database-url postgres://postgres@127.0.0.1:5432/app --yes --json',
  ]

  static override flags = {
    to: Flags.integer({
      summary: `Schema version to leave the tables at (0 to ${CURRENT_VERSION - 1}, below the current one).`,
      helpValue: 'N',
    }),
    version: Flags.integer({
      summary: `As Oban's down(version: N): undo N and above, leaving N - 1 (1 to ${CURRENT_VERSION}).`,
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
