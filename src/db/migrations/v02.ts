import type {Queryable} from '../pool.js'
import {addCheck, createIndex, dropConstraint, dropIndex, stateType} from './ddl.js'
import type {StepContext} from './step.js'

/*
 * V02: the scheduled_at index becomes partial (only jobs that can still run), length checks on
 * worker and queue, and the `oban_wrap_id` helper that V04 drops again.
 */

/** The partial index's predicate, with the enum literals cast to the prefixed type as Oban writes them. */
function runnablePredicate(ctx: StepContext): string {
  return `state IN ('available'::${stateType(ctx)}, 'scheduled'::${stateType(ctx)})`
}

/** Shared with V05's down, which puts this index back. */
export async function createPartialScheduledAtIndex(db: Queryable, ctx: StepContext): Promise<void> {
  await createIndex(db, ctx, 'oban_jobs_scheduled_at_index', `(scheduled_at) WHERE ${runnablePredicate(ctx)}`)
}

/** Shared with V04's down. Folds a bigint id into the int range (for old advisory-lock keys). */
export async function createWrapIdFunction(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`CREATE OR REPLACE FUNCTION ${ctx.schema}.oban_wrap_id(value bigint) RETURNS int AS $oban$
BEGIN
  RETURN (CASE WHEN value > 2147483647 THEN mod(value, 2147483647) ELSE value END)::int;
END;
$oban$ LANGUAGE plpgsql IMMUTABLE`)
}

/** Shared with V04's up. */
export async function dropWrapIdFunction(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`DROP FUNCTION IF EXISTS ${ctx.schema}.oban_wrap_id(bigint)`)
}

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  // Dropped first: a plain index of this name from V01 would satisfy IF NOT EXISTS.
  await dropIndex(db, ctx, 'oban_jobs_scheduled_at_index')
  await createPartialScheduledAtIndex(db, ctx)
  await addCheck(db, ctx, 'worker_length', 'char_length(worker) > 0 AND char_length(worker) < 128')
  await addCheck(db, ctx, 'queue_length', 'char_length(queue) > 0 AND char_length(queue) < 128')
  await createWrapIdFunction(db, ctx)
}

export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropConstraint(db, ctx, 'queue_length')
  await dropConstraint(db, ctx, 'worker_length')
  await dropIndex(db, ctx, 'oban_jobs_scheduled_at_index')
  await createIndex(db, ctx, 'oban_jobs_scheduled_at_index', '(scheduled_at)')
  await dropWrapIdFunction(db, ctx)
}
