import {Flags} from '@oclif/core'
import {DatabaseCommand} from '../../src/cli/database-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {
  CURRENT_VERSION,
  describeUp,
  migrateSchemaUp,
  migrateUpJson,
  parseMigrateUp,
  type MigrateUpJson,
} from '../../src/cli/migrate-schema.js'

export default class Migrate extends DatabaseCommand {
  static override summary = `Create or upgrade Oban's tables (schema version ${CURRENT_VERSION}).`
  static override description = `Runs Oban's versioned migrations on one schema, in one transaction, exactly as Oban.Migrations.up/1 does, so Elixir nodes can share the tables. Steps already applied (read from the comment on oban_jobs) are skipped; running it twice is harmless, and two processes migrating at once take turns.

A schema other than public is created when missing (unless --no-create-schema).

Note: \`oban --version\` prints the CLI's version; \`oban migrate --version N\` is this command's flag.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --version 12',
    '<%= config.bin %> <%= command.id %> --prefix jobs --database-url postgres://postgres@127.0.0.1:5432/app',
    '<%= config.bin %> <%= command.id %> --no-unlogged --json',
  ]

  static override flags = {
    version: Flags.integer({
      summary: `Schema version to migrate up to (1 to ${CURRENT_VERSION}).`,
      default: CURRENT_VERSION,
      helpValue: 'N',
    }),
    'create-schema': Flags.boolean({
      summary: 'Create the schema if it does not exist (default: on unless the prefix is public).',
      allowNo: true,
    }),
    unlogged: Flags.boolean({
      summary: 'Make oban_peers UNLOGGED (turn off for databases without UNLOGGED tables).',
      default: true,
      allowNo: true,
    }),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<MigrateUpJson> {
    const {flags} = await this.parse(Migrate)
    const request = parseMigrateUp(flags)
    const db = await this.open(flags, {schema: 'any'})
    const result = await migrateSchemaUp(db, request)
    this.log(describeUp(result, request.version))
    return migrateUpJson(result)
  }
}
