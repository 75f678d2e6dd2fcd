import type {Queryable} from '../pool.js'
import {createIndex, dropIndex} from './ddl.js'
import type {StepContext} from './step.js'

/** V13 (Oban 2.20): indexes that let the pruner find old cancelled and discarded jobs. */
export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await createIndex(db, ctx, 'oban_jobs_state_cancelled_at_index', '(state, cancelled_at)')
  await createIndex(db, ctx, 'oban_jobs_state_discarded_at_index', '(state, discarded_at)')
}

export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropIndex(db, ctx, 'oban_jobs_state_discarded_at_index')
  await dropIndex(db, ctx, 'oban_jobs_state_cancelled_at_index')
}
