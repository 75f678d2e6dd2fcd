import type {Queryable} from '../pool.js'
import {createIndex, dropIndex} from './ddl.js'
import type {StepContext} from './step.js'

/** V07: an index for pruning finished jobs by age (V10 drops it again). */
export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await createIndex(
    db,
    ctx,
    'oban_jobs_attempted_at_id_index',
    "(attempted_at DESC, id) WHERE state IN ('completed', 'discarded')",
  )
}

export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropIndex(db, ctx, 'oban_jobs_attempted_at_id_index')
}
