import type {Queryable} from '../pool.js'
import {addCheck, dropConstraint} from './ddl.js'
import {dropNotifyTrigger, installNotifyTrigger} from './notify-trigger.js'
import type {StepContext} from './step.js'

/*
 * V12 (Oban 2.17): priority may be any non-negative number (the constraint is NOT VALID, so old
 * rows are not scanned), and the notify trigger goes: insert notification moved into the
 * application.
 */

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await dropConstraint(db, ctx, 'priority_range')
  await addCheck(db, ctx, 'non_negative_priority', 'priority >= 0', {validate: false})
  await dropNotifyTrigger(db, ctx)
}

/** The restored `priority_range` is NOT VALID here, unlike the one V10 created. */
export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropConstraint(db, ctx, 'non_negative_priority')
  await addCheck(db, ctx, 'priority_range', 'priority between 0 and 3', {validate: false})
  await installNotifyTrigger(db, ctx, 'insert-available')
}
