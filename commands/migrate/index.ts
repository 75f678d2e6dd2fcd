import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {validatePrefix} from '../../src/db/identifier.js'
import {checkConnection, createPool} from '../../src/db/pool.js'
import {resolveDatabase} from '../../src/db/resolve-database.js'
import {
  checkUpVersion,
  CURRENT_VERSION,
  describeUp,
  jsonVersion,
  migrateUp,
  type MigrationResult,
} from '../../src/db/migrations/index.js'

/** `--json` output: the migration result, with an externally managed version shown as "∞". */
export type MigrateUpJson = Omit<MigrationResult, 'from' | 'to'> & {from: number | string; to: number | string}

export default class Migrate extends BaseCommand {
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

  static override enableJsonFlag = true

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
    // Both checks come before any connection, so a typo never starts the embedded server.
    const prefix = validatePrefix(flags.prefix)
    const version = checkUpVersion(flags.version)
    const {url} = await resolveDatabase({databaseUrl: flags['database-url'], dataDir: flags['data-dir']})
    const pool = createPool(url, {allowExitOnIdle: true, max: 1})
    this.defer(() => pool.end())
    await checkConnection(pool, url)
    const result = await migrateUp(pool, {
      prefix,
      version,
      createSchema: flags['create-schema'],
      unlogged: flags.unlogged,
    })
    this.log(describeUp(result, version))
    return {...result, from: jsonVersion(result.from), to: jsonVersion(result.to)}
  }
}
