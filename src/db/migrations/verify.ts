import type {Queryable} from '../pool.js'
import {SchemaIncompatibleError, SchemaNotMigratedError} from '../../errors.js'
import {validatePrefix} from '../identifier.js'
import {schemaDifferences} from './schema-check.js'
import {CURRENT_VERSION, readVersion} from './version.js'

/*
 * The check every database command and node start runs, apart from the migrator: it needs the
 * version and the column check only, not the fourteen migrations, which a quick command should
 * not load.
 */

/**
 * Throws {@link SchemaNotMigratedError} unless the schema is at version 14 or above (an
 * externally managed schema passes, as in Oban; Oban runs this check at boot in testing modes),
 * and {@link SchemaIncompatibleError} when its tables are not the ones Oban's migrations create.
 */
export async function verifyMigrated(db: Queryable, prefix: string): Promise<void> {
  const current = await readVersion(db, validatePrefix(prefix))
  if (current < CURRENT_VERSION) throw new SchemaNotMigratedError(prefix, current, CURRENT_VERSION)
  const problems = await schemaDifferences(db, prefix)
  if (problems.length > 0) throw new SchemaIncompatibleError(prefix, problems)
}
