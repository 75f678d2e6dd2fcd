import type {ColumnSnapshot, ConstraintSnapshot, SchemaSnapshot} from './schema-snapshot.js'

/*
 * What Oban's migrations leave in a schema, derived by hand from oban-bg/oban
 * `lib/oban/migrations/postgres/v01.ex` … `v14.ex` (v2.23.1; identical on main) and from the DDL
 * Ecto generates for them (ecto_sql `Ecto.Adapters.Postgres.Connection`: `:map` → jsonb,
 * `:utc_datetime_usec` → timestamp, a list default `[]` → `ARRAY[]::<type>[]`, default index name
 * `<table>_<columns>_index`), written the way PostgreSQL prints its catalog back. Independent of
 * our migration code on purpose: a test failing here means we drifted from Oban.
 */

const TS = 'timestamp without time zone'
const NOW = "timezone('UTC'::text, now())"

const col = (name: string, type: string, notNull: boolean, dflt: string | null = null): ColumnSnapshot => ({
  name,
  type,
  notNull,
  default: dflt,
})

/** V01 columns, in order. `args` gets its default only in V10. */
const V01_COLUMNS = (argsDefault: string | null) => [
  col('id', 'bigint', true, "nextval('oban_jobs_id_seq'::regclass)"),
  col('state', 'oban_job_state', true, "'available'::oban_job_state"),
  col('queue', 'text', true, "'default'::text"),
  col('worker', 'text', true),
  col('args', 'jsonb', true, argsDefault),
  col('errors', 'jsonb[]', true, 'ARRAY[]::jsonb[]'),
  col('attempt', 'integer', true, '0'),
  col('max_attempts', 'integer', true, '20'),
  col('inserted_at', TS, true, NOW),
  col('scheduled_at', TS, true, NOW),
  col('attempted_at', TS, false),
  col('completed_at', TS, false),
]

const check = (name: string, definition: string, validated = true): ConstraintSnapshot => ({
  table: 'oban_jobs',
  name,
  definition,
  validated,
})

export const CONSTRAINTS = {
  attemptRange: check('attempt_range', 'CHECK (((attempt >= 0) AND (attempt <= max_attempts)))'),
  nonNegativePriority: check('non_negative_priority', 'CHECK ((priority >= 0)) NOT VALID', false),
  jobsPkey: {table: 'oban_jobs', name: 'oban_jobs_pkey', definition: 'PRIMARY KEY (id)', validated: true},
  peersPkey: {table: 'oban_peers', name: 'oban_peers_pkey', definition: 'PRIMARY KEY (name)', validated: true},
  positiveMaxAttempts: check('positive_max_attempts', 'CHECK ((max_attempts > 0))'),
  priorityRange: check('priority_range', 'CHECK (((priority >= 0) AND (priority <= 3)))'),
  queueLength: check('queue_length', 'CHECK (((char_length(queue) > 0) AND (char_length(queue) < 128)))'),
  workerLength: check('worker_length', 'CHECK (((char_length(worker) > 0) AND (char_length(worker) < 128)))'),
}

const btree = (name: string, columns: string, where = '') =>
  [name, `CREATE INDEX ${name} ON oban_jobs USING btree (${columns})${where}`] as const

/** Every index any version has, by name, as pg_indexes prints it (schema stripped). */
export const INDEXES = Object.fromEntries([
  ['oban_jobs_pkey', 'CREATE UNIQUE INDEX oban_jobs_pkey ON oban_jobs USING btree (id)'],
  ['oban_peers_pkey', 'CREATE UNIQUE INDEX oban_peers_pkey ON oban_peers USING btree (name)'],
  btree('oban_jobs_queue_index', 'queue'),
  btree('oban_jobs_state_index', 'state'),
  btree('oban_jobs_scheduled_at_index', 'scheduled_at'),
  btree(
    'oban_jobs_scheduled_at_index',
    'scheduled_at',
    " WHERE (state = ANY (ARRAY['available'::oban_job_state, 'scheduled'::oban_job_state]))",
  ),
  btree('oban_jobs_queue_state_scheduled_at_id_index', 'queue, state, scheduled_at, id'),
  btree(
    'oban_jobs_attempted_at_id_index',
    'attempted_at DESC, id',
    " WHERE (state = ANY (ARRAY['completed'::oban_job_state, 'discarded'::oban_job_state]))",
  ),
  btree('oban_jobs_state_queue_priority_scheduled_at_id_index', 'state, queue, priority, scheduled_at, id'),
  ['oban_jobs_args_index', 'CREATE INDEX oban_jobs_args_index ON oban_jobs USING gin (args)'],
  ['oban_jobs_meta_index', 'CREATE INDEX oban_jobs_meta_index ON oban_jobs USING gin (meta)'],
  btree('oban_jobs_state_cancelled_at_index', 'state, cancelled_at'),
  btree('oban_jobs_state_discarded_at_index', 'state, discarded_at'),
]) as Record<string, string>

/** The plain (V01) form of the scheduled_at index; INDEXES holds the partial one (V02). */
export const PLAIN_SCHEDULED_AT_INDEX = btree('oban_jobs_scheduled_at_index', 'scheduled_at')[1]

/** The enum as a fresh install creates it, and as V09 + V14 leave an old six-value one. */
export const ENUM_LABELS = [
  'available',
  'suspended',
  'scheduled',
  'executing',
  'retryable',
  'completed',
  'discarded',
  'cancelled',
]

export const NOTIFY_TRIGGER = {
  insertOrUpdate:
    'CREATE TRIGGER oban_notify AFTER INSERT OR UPDATE OF state ON oban_jobs FOR EACH ROW EXECUTE FUNCTION oban_jobs_notify()',
  insertOnly: 'CREATE TRIGGER oban_notify AFTER INSERT ON oban_jobs FOR EACH ROW EXECUTE FUNCTION oban_jobs_notify()',
}

const pick = (...names: string[]) => Object.fromEntries(names.map((name) => [name, INDEXES[name]!]))

/** The complete state at version 14 (`oban_peers` UNLOGGED, the default). */
export const EXPECTED_V14: SchemaSnapshot = {
  enumLabels: ENUM_LABELS,
  tables: {
    oban_jobs: {
      persistence: 'p',
      comment: '14',
      columns: [
        ...V01_COLUMNS("'{}'::jsonb"),
        col('attempted_by', 'text[]', false),
        col('discarded_at', TS, false),
        col('priority', 'integer', true, '0'),
        col('tags', 'text[]', false, 'ARRAY[]::text[]'),
        col('meta', 'jsonb', false, "'{}'::jsonb"),
        col('cancelled_at', TS, false),
      ],
    },
    oban_peers: {
      persistence: 'u',
      comment: null,
      columns: [
        col('name', 'text', true),
        col('node', 'text', true),
        col('started_at', TS, true),
        col('expires_at', TS, true),
      ],
    },
  },
  constraints: [
    CONSTRAINTS.attemptRange,
    CONSTRAINTS.nonNegativePriority,
    CONSTRAINTS.jobsPkey,
    CONSTRAINTS.positiveMaxAttempts,
    CONSTRAINTS.queueLength,
    CONSTRAINTS.workerLength,
    CONSTRAINTS.peersPkey,
  ],
  indexes: pick(
    'oban_jobs_args_index',
    'oban_jobs_meta_index',
    'oban_jobs_pkey',
    'oban_jobs_state_cancelled_at_index',
    'oban_jobs_state_discarded_at_index',
    'oban_jobs_state_queue_priority_scheduled_at_id_index',
    'oban_peers_pkey',
  ),
  sequences: {oban_jobs_id_seq: {type: 'bigint', ownedBy: 'oban_jobs.id'}},
  functions: [],
  triggers: {},
}
