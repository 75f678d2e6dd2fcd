import type {Queryable} from '../pool.js'
import {MigrationError} from '../../errors.js'
import {createIndex, jobsTable, schemaExists, stateType, typeExists} from './ddl.js'
import {dropNotifyTrigger, installNotifyTrigger} from './notify-trigger.js'
import type {StepContext} from './step.js'

/*
 * V01: the schema (optionally), the job-state enum, `oban_jobs`, three single-column indexes and
 * the first notify trigger. Column types follow what Ecto generates for Oban's definitions:
 * `:map` is jsonb, `{:array, :map}` is jsonb[], `:utc_datetime_usec` is `timestamp` (without time
 * zone, default precision), and a list default `[]` is `ARRAY[]::<type>[]`.
 */

/**
 * The enum as Oban creates it today. Installs made by older Oban versions started with six values;
 * V09 appends `cancelled` and V14 inserts `suspended` before `scheduled`, which ends in this same
 * order.
 */
const STATES = ['available', 'suspended', 'scheduled', 'executing', 'retryable', 'completed', 'discarded', 'cancelled']

export async function up(db: Queryable, ctx: StepContext): Promise<void> {
  if (ctx.createSchema) await db.query(`CREATE SCHEMA IF NOT EXISTS ${ctx.schema}`)
  else if (!(await schemaExists(db, ctx))) {
    throw new MigrationError(
      `schema "${ctx.prefix}" does not exist and schema creation is off: create it first, or migrate with schema creation on`,
    )
  }
  if (!(await typeExists(db, ctx, 'oban_job_state'))) {
    await db.query(`CREATE TYPE ${stateType(ctx)} AS ENUM (${STATES.map((s) => `'${s}'`).join(', ')})`)
  }
  await createJobsTable(db, ctx)
  await createIndex(db, ctx, 'oban_jobs_queue_index', '(queue)')
  await createIndex(db, ctx, 'oban_jobs_state_index', '(state)')
  await createIndex(db, ctx, 'oban_jobs_scheduled_at_index', '(scheduled_at)')
  await installNotifyTrigger(db, ctx, 'insert-or-update')
}

/** Drops everything V01 made except the schema, which Oban never drops. */
export async function down(db: Queryable, ctx: StepContext): Promise<void> {
  await dropNotifyTrigger(db, ctx)
  await db.query(`DROP TABLE IF EXISTS ${jobsTable(ctx)}`)
  await db.query(`DROP TYPE IF EXISTS ${stateType(ctx)}`)
}

/** `args` has no default until V10, and the primary key is the `oban_jobs_pkey` constraint. */
async function createJobsTable(db: Queryable, ctx: StepContext): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${jobsTable(ctx)} (
    id bigserial,
    state ${stateType(ctx)} NOT NULL DEFAULT 'available',
    queue text NOT NULL DEFAULT 'default',
    worker text NOT NULL,
    args jsonb NOT NULL,
    errors jsonb[] NOT NULL DEFAULT ARRAY[]::jsonb[],
    attempt integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 20,
    inserted_at timestamp NOT NULL DEFAULT timezone('UTC', now()),
    scheduled_at timestamp NOT NULL DEFAULT timezone('UTC', now()),
    attempted_at timestamp,
    completed_at timestamp,
    PRIMARY KEY (id)
  )`)
}
