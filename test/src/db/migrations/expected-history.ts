/*
 * The state after each version, along both paths Oban can take: up from nothing one version at a
 * time, and down from 14 one version at a time. Transcribed from Oban's Vnn.up and Vnn.down (see
 * expected-schema.ts for the sources). The two paths differ where Oban's down steps are not exact
 * inverses: V10's down keeps the GIN indexes and does not restore V07's index, V12's down restores
 * `priority_range` as NOT VALID, V08's down loses the V08 fetch index with the `priority` column.
 */

/** What summarize() in schema-snapshot.ts reports: names only, with a marker where the form matters. */
export interface StateSummary {
  tables: string[]
  columns: string[]
  /** Index names; a partial index is suffixed ` (partial)`. */
  indexes: string[]
  /** Constraint names on oban_jobs; a NOT VALID one is suffixed ` (not valid)`. */
  constraints: string[]
  functions: string[]
  /** `insert-or-update`, `insert`, or null when there is no trigger. */
  trigger: string | null
  argsDefault: boolean
  priorityNotNull: boolean
}

const BASE_COLUMNS = [
  'id',
  'state',
  'queue',
  'worker',
  'args',
  'errors',
  'attempt',
  'max_attempts',
  'inserted_at',
  'scheduled_at',
  'attempted_at',
  'completed_at',
]

const without = (list: string[], ...names: string[]) => list.filter((item) => !names.includes(item))

/** UP path: UP[n] is the state after migrating a fresh schema to version n. */
export const UP: Record<number, StateSummary> = {}
{
  let s: StateSummary = {
    tables: ['oban_jobs'],
    columns: BASE_COLUMNS,
    indexes: ['oban_jobs_pkey', 'oban_jobs_queue_index', 'oban_jobs_scheduled_at_index', 'oban_jobs_state_index'],
    constraints: ['oban_jobs_pkey'],
    functions: ['oban_jobs_notify()'],
    trigger: 'insert-or-update',
    argsDefault: false,
    priorityNotNull: false,
  }
  UP[1] = s
  s = {
    ...s,
    indexes: [
      'oban_jobs_pkey',
      'oban_jobs_queue_index',
      'oban_jobs_scheduled_at_index (partial)',
      'oban_jobs_state_index',
    ],
    constraints: [...s.constraints, 'queue_length', 'worker_length'],
    functions: ['oban_jobs_notify()', 'oban_wrap_id(value bigint)'],
  }
  UP[2] = s
  s = {...s, columns: [...s.columns, 'attempted_by']}
  UP[3] = s
  s = {...s, functions: ['oban_jobs_notify()']}
  UP[4] = s
  s = {...s, indexes: ['oban_jobs_pkey', 'oban_jobs_queue_state_scheduled_at_id_index']}
  UP[5] = s
  UP[6] = s
  s = {...s, indexes: ['oban_jobs_attempted_at_id_index (partial)', ...s.indexes]}
  UP[7] = s
  s = {
    ...s,
    columns: [...s.columns, 'discarded_at', 'priority', 'tags'],
    indexes: [
      'oban_jobs_attempted_at_id_index (partial)',
      'oban_jobs_pkey',
      'oban_jobs_state_queue_priority_scheduled_at_id_index',
    ],
    trigger: 'insert',
  }
  UP[8] = s
  s = {...s, columns: [...s.columns, 'meta', 'cancelled_at']}
  UP[9] = s
  s = {
    ...s,
    indexes: [
      'oban_jobs_args_index',
      'oban_jobs_meta_index',
      'oban_jobs_pkey',
      'oban_jobs_state_queue_priority_scheduled_at_id_index',
    ],
    constraints: [
      'attempt_range',
      'oban_jobs_pkey',
      'positive_max_attempts',
      'priority_range',
      'queue_length',
      'worker_length',
    ],
    argsDefault: true,
    priorityNotNull: true,
  }
  UP[10] = s
  s = {...s, tables: ['oban_jobs', 'oban_peers']}
  UP[11] = s
  s = {
    ...s,
    constraints: [
      'attempt_range',
      'non_negative_priority (not valid)',
      'oban_jobs_pkey',
      'positive_max_attempts',
      'queue_length',
      'worker_length',
    ],
    functions: [],
    trigger: null,
  }
  UP[12] = s
  s = {
    ...s,
    indexes: [
      'oban_jobs_args_index',
      'oban_jobs_meta_index',
      'oban_jobs_pkey',
      'oban_jobs_state_cancelled_at_index',
      'oban_jobs_state_discarded_at_index',
      'oban_jobs_state_queue_priority_scheduled_at_id_index',
    ],
  }
  UP[13] = s
  UP[14] = s
}

/** DOWN path: DOWN[n] is the state after rolling a version-14 schema back to n, one version at a time. */
export const DOWN: Record<number, StateSummary> = {}
{
  const top = UP[14]
  if (!top) throw new Error('UP[14] is missing')
  let s = top
  DOWN[13] = s
  s = {...s, indexes: without(s.indexes, 'oban_jobs_state_cancelled_at_index', 'oban_jobs_state_discarded_at_index')}
  DOWN[12] = s
  s = {
    ...s,
    constraints: [
      'attempt_range',
      'oban_jobs_pkey',
      'positive_max_attempts',
      'priority_range (not valid)',
      'queue_length',
      'worker_length',
    ],
    functions: ['oban_jobs_notify()'],
    trigger: 'insert',
  }
  DOWN[11] = s
  s = {...s, tables: ['oban_jobs']}
  DOWN[10] = s
  // V10 down: defaults and the three constraints go; the GIN indexes stay, V07's index does not return.
  s = {
    ...s,
    constraints: ['oban_jobs_pkey', 'queue_length', 'worker_length'],
    argsDefault: false,
    priorityNotNull: false,
  }
  DOWN[9] = s
  // V09 down: the meta GIN index goes with its column.
  s = {...s, columns: without(s.columns, 'meta', 'cancelled_at'), indexes: without(s.indexes, 'oban_jobs_meta_index')}
  DOWN[8] = s
  // V08 down: the fetch index goes with `priority`; the V05 one returns.
  s = {
    ...s,
    columns: without(s.columns, 'discarded_at', 'priority', 'tags'),
    indexes: ['oban_jobs_args_index', 'oban_jobs_pkey', 'oban_jobs_queue_state_scheduled_at_id_index'],
    trigger: 'insert-or-update',
  }
  DOWN[7] = s
  DOWN[6] = s
  DOWN[5] = s
  s = {
    ...s,
    indexes: [
      'oban_jobs_args_index',
      'oban_jobs_pkey',
      'oban_jobs_queue_index',
      'oban_jobs_scheduled_at_index (partial)',
      'oban_jobs_state_index',
    ],
  }
  DOWN[4] = s
  s = {...s, functions: ['oban_jobs_notify()', 'oban_wrap_id(value bigint)']}
  DOWN[3] = s
  s = {...s, columns: without(s.columns, 'attempted_by')}
  DOWN[2] = s
  s = {
    ...s,
    indexes: [
      'oban_jobs_args_index',
      'oban_jobs_pkey',
      'oban_jobs_queue_index',
      'oban_jobs_scheduled_at_index',
      'oban_jobs_state_index',
    ],
    constraints: ['oban_jobs_pkey'],
    functions: ['oban_jobs_notify()'],
  }
  DOWN[1] = s
  DOWN[0] = {
    tables: [],
    columns: [],
    indexes: [],
    constraints: [],
    functions: [],
    trigger: null,
    argsDefault: false,
    priorityNotNull: false,
  }
}
