import type {Queryable} from '../pool.js'
import {addColumn, dropColumn} from './ddl.js'
import type {StepContext} from './step.js'

/** V03: `attempted_by text[]`, the node and producer that ran the last attempt. */
export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await addColumn(db, ctx, 'attempted_by', 'text[]')
}

export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropColumn(db, ctx, 'attempted_by')
}
