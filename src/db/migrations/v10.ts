import type {Queryable} from '../pool.js'
import {addCheck, alterColumn, createIndex, dropConstraint, dropIndex} from './ddl.js'
import type {StepContext} from './step.js'

/*
 * V10: defaults and constraints that older PostgreSQL versions made expensive, GIN indexes on
 * `args` and `meta` for unique checks, and removal of unused indexes. `SET NOT NULL` on
 * `priority` fails if rows from before V08 still hold NULL there, exactly as it does for Oban.
 */

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await alterColumn(db, ctx, 'args', "SET DEFAULT '{}'")
  await alterColumn(db, ctx, 'priority', 'SET NOT NULL')
  await addCheck(db, ctx, 'priority_range', 'priority between 0 and 3')
  await addCheck(db, ctx, 'positive_max_attempts', 'max_attempts > 0')
  await addCheck(db, ctx, 'attempt_range', 'attempt between 0 and max_attempts')
  // No step before V10 creates the first two; Oban drops them for installs that carry them anyway.
  await dropIndex(db, ctx, 'oban_jobs_args_vector')
  await dropIndex(db, ctx, 'oban_jobs_worker_gist')
  await dropIndex(db, ctx, 'oban_jobs_attempted_at_id_index')
  await createIndex(db, ctx, 'oban_jobs_args_index', 'USING gin (args)')
  await createIndex(db, ctx, 'oban_jobs_meta_index', 'USING gin (meta)')
}

/**
 * Like Oban's, this keeps the GIN indexes and does not restore V07's index. Oban sets the `args`
 * default to NULL, which PostgreSQL stores as no default at all; DROP DEFAULT is the same.
 */
export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await alterColumn(db, ctx, 'args', 'DROP DEFAULT')
  await alterColumn(db, ctx, 'priority', 'DROP NOT NULL')
  await dropConstraint(db, ctx, 'attempt_range')
  await dropConstraint(db, ctx, 'positive_max_attempts')
  await dropConstraint(db, ctx, 'priority_range')
}
