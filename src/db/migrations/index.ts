/*
 * Oban-compatible schema migrations: the public surface of src/db/migrations. The steps and DDL
 * helpers stay internal; callers migrate, roll back, verify and report through these.
 */
export {
  downTarget,
  checkUpVersion,
  migrateDown,
  migrateUp,
  migrationStatus,
  type DownPlan,
  type MigrateDownOptions,
  type MigrateUpOptions,
  type MigrationResult,
  type MigrationStatus,
} from './migrator.js'
export {verifyMigrated} from './verify.js'
export {CURRENT_VERSION, EXTERNALLY_MANAGED_COMMENT, INITIAL_VERSION, migratedVersion} from './version.js'
export {describeDown, describeDownPlan, describeStatus, describeUp, jsonVersion} from './report.js'
