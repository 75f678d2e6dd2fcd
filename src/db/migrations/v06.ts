import type {Queryable} from '../pool.js'
import type {StepContext} from './step.js'

/*
 * V06 once changed the `oban_beats` table, which Oban no longer ships; today it does nothing in
 * either direction, but it still counts as a version.
 */

export async function up(_db: Queryable, _ctx: StepContext): Promise<void> {}

export async function down(_db: Queryable, _ctx: StepContext): Promise<void> {}
