import type {DownPlan, MigrationResult, MigrationStatus} from './migrator.js'
import {CURRENT_VERSION, EXTERNALLY_MANAGED_COMMENT} from './version.js'

/*
 * Pure formatters for the `oban migrate` commands: one human line per schema. They take plain
 * results, so they are tested without a database.
 */

/** A version as JSON can carry it: `Infinity` (externally managed) becomes `"∞"`, as in the comment. */
export function jsonVersion(version: number): number | typeof EXTERNALLY_MANAGED_COMMENT {
  return version === Infinity ? EXTERNALLY_MANAGED_COMMENT : version
}

/** `oban migrate`, plus ` --prefix NAME` when the schema is not public. */
function migrateCommand(prefix: string, rest = ''): string {
  return `oban migrate${rest}${prefix === 'public' ? '' : ` --prefix ${prefix}`}`
}

/** `step 14`, `steps 1–14` or `steps 14–12`, in the order the steps ran. */
function stepsRan(applied: number[]): string {
  const first = applied[0]
  const last = applied[applied.length - 1]
  if (first === undefined || last === undefined) return 'no steps'
  return first === last ? `step ${first}` : `steps ${first}–${last}`
}

/** The line for `oban migrate`; `requested` is the target version the user asked for. */
export function describeUp(result: MigrationResult, requested: number): string {
  const schema = `Schema "${result.prefix}"`
  if (result.applied.length > 0) {
    return `Migrated schema "${result.prefix}" from version ${result.from} to ${result.to} (${stepsRan(result.applied)}).`
  }
  if (result.from === Infinity) return `${schema} is managed by an external migrator (version ∞); nothing to do.`
  if (result.from === requested) return `${schema} is already at version ${requested}; nothing to do.`
  return `${schema} is at version ${result.from}, above the requested ${requested}; nothing to do (to roll back: ${migrateCommand(result.prefix, ` down --to ${requested}`)}).`
}

/** The line for `oban migrate down`. */
export function describeDown(result: MigrationResult): string {
  const line = `Rolled back schema "${result.prefix}" from version ${result.from} to ${result.to} (${stepsRan(result.applied)})`
  return result.to === 0 ? `${line}: the Oban tables and type are removed.` : `${line}.`
}

/** The line for one schema in `oban migrate status`. */
export function describeStatus(status: MigrationStatus): string {
  const {prefix, version} = status
  if (status.problems)
    return `${prefix}: version ${version === Infinity ? '∞' : version}, but not the tables Oban's migrations create, so oban-ts cannot write to them: ${status.problems.join('; ')}`
  if (version === Infinity) return `${prefix}: managed by an external migrator (version ∞)`
  if (version === 0)
    return `${prefix}: not installed (version 0 of ${CURRENT_VERSION}); run \`${migrateCommand(prefix)}\``
  if (version > CURRENT_VERSION)
    return `${prefix}: version ${version}, newer than this oban-ts knows (${CURRENT_VERSION})`
  if (status.upToDate) return `${prefix}: version ${version}, up to date`
  return `${prefix}: version ${version} of ${CURRENT_VERSION}, outdated; run \`${migrateCommand(prefix)}\``
}

/**
 * What a rollback will do, for its confirmation: `drop Oban's tables in schema "public"
 * (oban_jobs with 30 jobs, oban_peers)` or `roll schema "public" back from version 14 to 11`.
 */
export function describeDownPlan(plan: DownPlan): string {
  const drops = plan.drops.map((table) =>
    table === 'oban_jobs' && plan.jobs !== undefined
      ? `oban_jobs with ${plan.jobs} job${plan.jobs === 1 ? '' : 's'}`
      : table,
  )
  if (plan.to === 0) return `drop Oban's tables in schema "${plan.prefix}" (${drops.join(', ')})`
  const dropping = drops.length === 0 ? '' : `, dropping ${drops.join(', ')}`
  return `roll schema "${plan.prefix}" back from version ${plan.from} to ${plan.to}${dropping}`
}
