import type {Queryable} from '../pool.js'
import {addColumn, alterColumn, createIndex, dropColumn, dropIndex} from './ddl.js'
import {installNotifyTrigger} from './notify-trigger.js'
import type {StepContext} from './step.js'

/*
 * V08: `discarded_at`, `priority` and `tags`; the fetch index gains `priority` and leads with
 * `state`; the trigger only announces inserts of available jobs.
 *
 * The columns are added without defaults and the defaults set afterwards, as Oban does (so rows
 * that already exist keep NULL in `priority` and `tags`). Oban also restates each column's type in
 * that ALTER; the type does not change, so only the default is set here.
 */

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await addColumn(db, ctx, 'discarded_at', 'timestamp')
  await addColumn(db, ctx, 'priority', 'integer')
  await addColumn(db, ctx, 'tags', 'text[]')
  await alterColumn(db, ctx, 'priority', 'SET DEFAULT 0')
  await alterColumn(db, ctx, 'tags', 'SET DEFAULT ARRAY[]::text[]')
  await dropIndex(db, ctx, 'oban_jobs_queue_state_scheduled_at_id_index')
  await createIndex(
    db,
    ctx,
    'oban_jobs_state_queue_priority_scheduled_at_id_index',
    '(state, queue, priority, scheduled_at, id)',
  )
  await installNotifyTrigger(db, ctx, 'insert-available')
}

/**
 * Oban's down names the fetch index `…queue_state_priority…`, which never exists, so its DROP does
 * nothing; the real index disappears with the `priority` column. Dropping the column has the same
 * effect here.
 */
export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await createIndex(db, ctx, 'oban_jobs_queue_state_scheduled_at_id_index', '(queue, state, scheduled_at, id)')
  await dropColumn(db, ctx, 'discarded_at')
  await dropColumn(db, ctx, 'priority')
  await dropColumn(db, ctx, 'tags')
  await installNotifyTrigger(db, ctx, 'insert-or-update')
}
