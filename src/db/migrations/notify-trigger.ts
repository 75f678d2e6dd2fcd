import type {Queryable} from '../pool.js'
import {jobsTable, quoteLiteral} from './ddl.js'
import type {StepContext} from './step.js'

/*
 * The historic insert-notification trigger: `oban_notify` on `oban_jobs`, calling
 * `"prefix".oban_jobs_notify()`. Versions 1 to 11 have it, V12 drops it (notification moved into
 * the application). It matters while an Elixir node on an older version shares the database:
 * those nodes rely on it to hear about inserts.
 *
 * Two generations exist:
 * - `insert-or-update` (V01..V07): on INSERT, a job not scheduled in the future is announced on
 *   `<prefix>.oban_insert` with `{"queue", "state"}`; on an UPDATE of `state` the change goes to
 *   `<prefix>.oban_update` with `{"queue", "new_state", "old_state"}`.
 * - `insert-available` (V08..V11): only INSERTs of `available` jobs, on `<prefix>.oban_insert`
 *   with `{"queue"}`.
 */
export type NotifyGeneration = 'insert-or-update' | 'insert-available'

function functionName(ctx: StepContext): string {
  return `${ctx.schema}.oban_jobs_notify()`
}

/** The PL/pgSQL body of one generation; the channel names embed the prefix as Oban's do. */
function functionBody(ctx: StepContext, generation: NotifyGeneration): string {
  const insertChannel = quoteLiteral(`${ctx.prefix}.oban_insert`)
  if (generation === 'insert-available') {
    return `
BEGIN
  IF NEW.state = 'available' THEN
    PERFORM pg_notify(${insertChannel}, json_build_object('queue', NEW.queue)::text);
  END IF;
  RETURN NULL;
END;
`
  }
  const updateChannel = quoteLiteral(`${ctx.prefix}.oban_update`)
  return `
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A job due later is nobody's business yet.
    IF NEW.scheduled_at IS NOT NULL AND NEW.scheduled_at > (now() AT TIME ZONE 'utc') THEN
      RETURN NULL;
    END IF;
    PERFORM pg_notify(${insertChannel}, json_build_object('queue', NEW.queue, 'state', NEW.state)::text);
  ELSE
    PERFORM pg_notify(
      ${updateChannel},
      json_build_object('queue', NEW.queue, 'new_state', NEW.state, 'old_state', OLD.state)::text
    );
  END IF;
  RETURN NULL;
END;
`
}

/**
 * Creates (or replaces) the notify function and (re)creates the trigger for one generation.
 * Replacing the trigger is what makes this idempotent: `CREATE TRIGGER` has no IF NOT EXISTS on
 * PostgreSQL 13 and earlier, and the event list differs between generations.
 */
export async function installNotifyTrigger(
  db: Queryable,
  ctx: StepContext,
  generation: NotifyGeneration,
): Promise<void> {
  await db.query(
    `CREATE OR REPLACE FUNCTION ${functionName(ctx)} RETURNS trigger AS $oban$${functionBody(ctx, generation)}$oban$ LANGUAGE plpgsql`,
  )
  await db.query(`DROP TRIGGER IF EXISTS oban_notify ON ${jobsTable(ctx)}`)
  const events = generation === 'insert-available' ? 'INSERT' : 'INSERT OR UPDATE OF state'
  await db.query(
    `CREATE TRIGGER oban_notify AFTER ${events} ON ${jobsTable(ctx)} FOR EACH ROW EXECUTE FUNCTION ${functionName(ctx)}`,
  )
}

/** Drops the trigger and the function; a missing table or schema only raises a NOTICE. */
export async function dropNotifyTrigger(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`DROP TRIGGER IF EXISTS oban_notify ON ${jobsTable(ctx)}`)
  await db.query(`DROP FUNCTION IF EXISTS ${functionName(ctx)}`)
}
