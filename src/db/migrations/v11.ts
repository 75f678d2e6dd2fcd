import type {Queryable} from '../pool.js'
import {peersTable} from './ddl.js'
import type {StepContext} from './step.js'

/*
 * V11: `oban_peers`, one row per instance name holding its current leader. UNLOGGED by default
 * (leadership is cheap to re-elect after a crash, and it is written often); `unlogged: false` is
 * for databases without UNLOGGED tables, such as YugabyteDB.
 */

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${peersTable(ctx)} (
    name text NOT NULL,
    node text NOT NULL,
    started_at timestamp NOT NULL,
    expires_at timestamp NOT NULL,
    PRIMARY KEY (name)
  )`)
  // Already unlogged is a no-op, so this stays idempotent.
  if (ctx.unlogged) await db.query(`ALTER TABLE ${peersTable(ctx)} SET UNLOGGED`)
}

export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${peersTable(ctx)}`)
}
