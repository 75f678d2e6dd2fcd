import type {Queryable} from '../pool.js'
import {addColumn, createIndex, dropColumn, jobsTable, stateType} from './ddl.js'
import type {StepContext} from './step.js'

/*
 * V09: `meta` and `cancelled_at`, and the `cancelled` state for installs whose enum predates it.
 *
 * `ALTER TYPE … ADD VALUE` runs inside the migrator's transaction (allowed since PostgreSQL 12),
 * but a value added in a transaction cannot be used before it commits ("unsafe use of new
 * value"). No later up step mentions `cancelled`, and down runs never add values, so one
 * transaction per run is safe. When V01 created the enum in the same transaction, the value is
 * already there and IF NOT EXISTS makes this a no-op.
 */

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await addColumn(db, ctx, 'meta', "jsonb DEFAULT '{}'")
  await addColumn(db, ctx, 'cancelled_at', 'timestamp')
  await db.query(`ALTER TYPE ${stateType(ctx)} ADD VALUE IF NOT EXISTS 'cancelled'`)
  await createIndex(
    db,
    ctx,
    'oban_jobs_state_queue_priority_scheduled_at_id_index',
    '(state, queue, priority, scheduled_at, id)',
  )
}

/** Enum values cannot be removed, so `cancelled` stays; cancelled jobs become discarded. */
export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropColumn(db, ctx, 'meta')
  await dropColumn(db, ctx, 'cancelled_at')
  await db.query(`UPDATE ${jobsTable(ctx)} SET state = 'discarded' WHERE state = 'cancelled'`)
}
