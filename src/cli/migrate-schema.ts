import {validatePrefix} from '../db/identifier.js'
import {ConfirmationDeclinedError, ConfirmationRequiredError, UsageError} from '../errors.js'
import {
  downTarget,
  describeDownPlan,
  checkUpVersion,
  jsonVersion,
  type DownPlan,
  type MigrateDownOptions,
  type MigrationResult,
  type MigrationStatus,
} from '../db/migrations/index.js'
import {migrateDown, migrateUp, migrationStatus} from '../operator/job-operations.js'
import {askYesNo, canPrompt} from './confirm.js'
import type {CommandDatabase} from './database-command.js'

export {CURRENT_VERSION, describeDown, describeStatus, describeUp} from '../db/migrations/index.js'
export type {MigrationResult}

/** `oban migrate --json`: the migration result, with an externally managed version shown as "∞". */
export type MigrateUpJson = Omit<MigrationResult, 'from' | 'to'> & {from: number | string; to: number | string}

/** `oban migrate status --json`: one entry per schema, with an externally managed version shown as "∞". */
export type MigrateStatusJson = (Omit<MigrationStatus, 'version'> & {version: number | string})[]

/** What `oban migrate` runs: every option set. */
export interface MigrateUpRequest {
  prefix: string
  version: number
  createSchema?: boolean
  unlogged: boolean
}

// Each parse function checks --prefix, then --version, before anything connects: a typo never
// starts the embedded server.

/** `oban migrate`'s flags, checked. */
export function parseMigrateUp(flags: {
  prefix: string
  version: number
  'create-schema'?: boolean
  unlogged: boolean
}): MigrateUpRequest {
  const prefix = validatePrefix(flags.prefix)
  const version = checkUpVersion(flags.version)
  return {prefix, version, createSchema: flags['create-schema'], unlogged: flags.unlogged}
}

/** What `oban migrate down` runs: exactly one of `version` (Oban's meaning) and `to`. */
export interface MigrateDownRequest {
  prefix: string
  version?: number
  to?: number
}

const DOWN_FORMS =
  "--to N leaves the schema at version N (0 removes the Oban tables); --version N is Oban's down(version: N), which undoes N and above and leaves N - 1"

/** `oban migrate down`'s flags, checked: exactly one of --version and --to, each in its range. */
export function parseMigrateDown(flags: {prefix: string; version?: number; to?: number}): MigrateDownRequest {
  const prefix = validatePrefix(flags.prefix)
  if (flags.version === undefined && flags.to === undefined)
    throw new UsageError(`give --to N or --version N: ${DOWN_FORMS}`)
  if (flags.version !== undefined && flags.to !== undefined)
    throw new UsageError(`give either --to or --version, not both: ${DOWN_FORMS}`)
  downTarget(flags)
  return flags.version === undefined ? {prefix, to: flags.to} : {prefix, version: flags.version}
}

/** `oban migrate status`'s --prefix, checked; undefined (every schema) when not given. */
export function parseStatusPrefix(prefix: string | undefined): string | undefined {
  return prefix === undefined ? undefined : validatePrefix(prefix)
}

/** `oban migrate`: Oban's migrations up to the version, in one transaction (see migrateUp). */
export async function migrateSchemaUp(db: CommandDatabase, request: MigrateUpRequest): Promise<MigrationResult> {
  const {prefix, ...options} = request
  return migrateUp({pool: db.pool, prefix}, options)
}

/**
 * `oban migrate down`: `--version N` as Oban's down(version: N), or `--to N`, in one transaction
 * (see migrateDown).
 * Like the bulk job actions it confirms first, saying what is dropped and how many jobs go with
 * it: on a terminal it asks; anywhere else it refuses without `--yes` (ConfirmationRequiredError,
 * exit 2); a "no" changes nothing and is ConfirmationDeclinedError (exit 1).
 */
export async function migrateSchemaDown(
  db: CommandDatabase,
  request: Pick<MigrateDownOptions, 'version' | 'to'> & {prefix: string},
  options: {yes: boolean},
): Promise<MigrationResult> {
  const confirm = options.yes ? undefined : askToMigrateDown
  const result = await migrateDown(
    {pool: db.pool, prefix: request.prefix},
    {version: request.version, to: request.to, confirm},
  )
  if (result.declined)
    throw new ConfirmationDeclinedError(
      `not confirmed: schema "${result.prefix}" stays at version ${result.from}, nothing was dropped`,
    )
  return result
}

async function askToMigrateDown(plan: DownPlan): Promise<boolean> {
  const what = describeDownPlan(plan)
  if (!canPrompt())
    throw new ConfirmationRequiredError(
      `refusing to ${what} without confirmation: stdin is not a terminal; pass --yes to migrate down`,
    )
  return askYesNo(`${what[0]!.toUpperCase()}${what.slice(1)}? This cannot be undone.`)
}

/** `oban migrate status`: the version of one schema, or of every schema with Oban's tables. */
export async function schemaVersions(db: CommandDatabase, prefix: string | undefined): Promise<MigrationStatus[]> {
  return migrationStatus({pool: db.pool, prefix}, {allSchemas: prefix === undefined})
}

export function migrateUpJson(result: MigrationResult): MigrateUpJson {
  return {...result, from: jsonVersion(result.from), to: jsonVersion(result.to)}
}

export function migrateStatusJson(statuses: readonly MigrationStatus[]): MigrateStatusJson {
  return statuses.map((status) => ({...status, version: jsonVersion(status.version)}))
}
