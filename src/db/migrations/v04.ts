import type {Queryable} from '../pool.js'
import {createWrapIdFunction, dropWrapIdFunction} from './v02.js'
import type {StepContext} from './step.js'

/** V04: drops V02's `oban_wrap_id` function again. */
export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await dropWrapIdFunction(db, ctx)
}

export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await createWrapIdFunction(db, ctx)
}
