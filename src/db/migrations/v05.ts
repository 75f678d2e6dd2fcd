import type {Queryable} from '../pool.js'
import {createIndex, dropIndex} from './ddl.js'
import {createPartialScheduledAtIndex} from './v02.js'
import type {StepContext} from './step.js'

/** V05: the three single-column indexes give way to one composite fetch index. */
export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await dropIndex(db, ctx, 'oban_jobs_scheduled_at_index')
  await dropIndex(db, ctx, 'oban_jobs_queue_index')
  await dropIndex(db, ctx, 'oban_jobs_state_index')
  await createIndex(db, ctx, 'oban_jobs_queue_state_scheduled_at_id_index', '(queue, state, scheduled_at, id)')
}

export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropIndex(db, ctx, 'oban_jobs_queue_state_scheduled_at_id_index')
  await createIndex(db, ctx, 'oban_jobs_queue_index', '(queue)')
  await createIndex(db, ctx, 'oban_jobs_state_index', '(state)')
  await createPartialScheduledAtIndex(db, ctx)
}
