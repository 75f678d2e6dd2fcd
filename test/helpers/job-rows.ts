import type {Pool} from '../../src/db/pool.js'

/** A row of oban_jobs with every column settable; times are seconds from now (negative: past). */
export interface JobRowSpec {
  id?: number | string
  state?: string
  queue?: string
  worker?: string
  args?: Record<string, unknown>
  meta?: Record<string, unknown>
  tags?: string[]
  errors?: {attempt: number; at: string; error: string}[]
  attempt?: number
  maxAttempts?: number
  priority?: number
  insertedIn?: number
  scheduledIn?: number
  attemptedIn?: number | null
  completedIn?: number | null
  discardedIn?: number | null
  cancelledIn?: number | null
  attemptedBy?: string[] | null
}

const at = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : seconds)

/**
 * Inserts rows as another client would, with known states and timestamps; explicit ids are
 * allowed (the sequence is moved past them). Returns the ids in order.
 */
export async function insertJobRows(pool: Pool, specs: JobRowSpec[], prefix = 'public'): Promise<string[]> {
  const ids: string[] = []
  const t = (param: string) => `CASE WHEN ${param}::float8 IS NULL THEN NULL ELSE
    timezone('UTC', now()) + make_interval(secs => ${param}::float8) END`
  for (const spec of specs) {
    const {rows} = await pool.query<{id: string}>(
      `INSERT INTO "${prefix}".oban_jobs
         (id, state, queue, worker, args, meta, tags, errors, attempt, max_attempts, priority,
          inserted_at, scheduled_at, attempted_at, completed_at, discarded_at, cancelled_at, attempted_by)
       VALUES (COALESCE($1::bigint, nextval(pg_get_serial_sequence('"${prefix}".oban_jobs', 'id'))),
               $2, $3, $4, $5, $6, $7, $8::jsonb[], $9, $10, $11,
               ${t('$12')}, ${t('$13')}, ${t('$14')}, ${t('$15')}, ${t('$16')}, ${t('$17')}, $18)
       RETURNING id`,
      [
        spec.id ?? null,
        spec.state ?? 'available',
        spec.queue ?? 'default',
        spec.worker ?? 'Test.Worker',
        spec.args ?? {},
        spec.meta ?? {},
        spec.tags ?? [],
        (spec.errors ?? []).map((e) => JSON.stringify(e)),
        spec.attempt ?? 0,
        spec.maxAttempts ?? 20,
        spec.priority ?? 0,
        spec.insertedIn ?? 0,
        spec.scheduledIn ?? spec.insertedIn ?? 0,
        at(spec.attemptedIn),
        at(spec.completedIn),
        at(spec.discardedIn),
        at(spec.cancelledIn),
        spec.attemptedBy ?? null,
      ],
    )
    ids.push(String(rows[0]!.id))
  }
  if (specs.some((spec) => spec.id !== undefined))
    await pool.query(
      `SELECT setval(pg_get_serial_sequence('"${prefix}".oban_jobs', 'id'), (SELECT max(id) FROM "${prefix}".oban_jobs))`,
    )
  return ids
}

/**
 * One job in every state, as each state looks when Oban puts a job there (attempts, timestamps,
 * errors), in queues `mailers` and `default`. Ids are returned by state.
 */
export async function insertEveryState(pool: Pool, prefix = 'public'): Promise<Record<string, string>> {
  const error = (attempt: number, secondsAgo: number, text: string) => ({
    attempt,
    at: new Date(Date.now() - secondsAgo * 1000).toISOString(),
    error: text,
  })
  const specs: (JobRowSpec & {state: string})[] = [
    {state: 'available', queue: 'mailers', worker: 'MyApp.Mailer', args: {to: 'a@example.com'}, insertedIn: -30},
    {state: 'suspended', queue: 'default', worker: 'MyApp.Sync', args: {account: 1}, insertedIn: -3600},
    {
      state: 'scheduled',
      queue: 'default',
      worker: 'MyApp.Report',
      tags: ['nightly'],
      insertedIn: -60,
      scheduledIn: 600,
    },
    {
      state: 'executing',
      queue: 'mailers',
      worker: 'MyApp.Mailer',
      args: {to: 'b@example.com'},
      attempt: 1,
      insertedIn: -20,
      attemptedIn: -5,
      attemptedBy: ['web-1', '00000000-0000-4000-8000-000000000001'],
    },
    {
      state: 'retryable',
      queue: 'default',
      worker: 'MyApp.Sync',
      args: {account: 7},
      meta: {source: 'api'},
      attempt: 2,
      insertedIn: -300,
      scheduledIn: 120,
      attemptedIn: -60,
      errors: [error(1, 240, 'Error: timeout\n    at sync (sync.ts:1:1)'), error(2, 60, 'Error: refused')],
    },
    {state: 'completed', queue: 'mailers', worker: 'MyApp.Mailer', attempt: 1, attemptedIn: -90, completedIn: -89},
    {
      state: 'discarded',
      queue: 'default',
      worker: 'MyApp.Sync',
      args: {account: 9},
      attempt: 3,
      maxAttempts: 3,
      attemptedIn: -100,
      discardedIn: -100,
      errors: [error(3, 100, 'Error: gone')],
    },
    {state: 'cancelled', queue: 'default', worker: 'MyApp.Report', attempt: 0, cancelledIn: -10, tags: ['nightly']},
  ]
  const ids = await insertJobRows(pool, specs, prefix)
  return Object.fromEntries(specs.map((spec, i) => [spec.state, ids[i]!]))
}
