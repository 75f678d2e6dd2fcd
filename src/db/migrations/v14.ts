import type {Queryable} from '../pool.js'
import {jobsTable, stateType} from './ddl.js'
import type {StepContext} from './step.js'

/*
 * V14 (Oban 2.21): the `suspended` state (held until resumed; used by Pro workflows), placed
 * before `scheduled`. Same transaction rule as V09: nothing after this in an up run uses the new
 * value.
 */

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`ALTER TYPE ${stateType(ctx)} ADD VALUE IF NOT EXISTS 'suspended' BEFORE 'scheduled'`)
}

/** Enum values cannot be removed, so `suspended` stays; suspended jobs become scheduled. */
export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`UPDATE ${jobsTable(ctx)} SET state = 'scheduled' WHERE state = 'suspended'`)
}
