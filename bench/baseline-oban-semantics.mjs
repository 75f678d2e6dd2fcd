// The shared benchmark's `baseline-batch` (its producer, acker and listener loops, unchanged) doing
// what Oban itself requires of every node, on Oban's own table:
//   - the table is `oban_jobs` of schema version 14 (every column, default, check and all six
//     indexes), copied as `bench_jobs` so the baseline's loops run on it unchanged;
//   - an insert returns what Oban.insert / insert_all return that the database decides (the ids
//     and `inserted_at`) and sends Oban's insert notification (`{"queue":"default"}`) from the
//     statement, one per statement (the baseline's trigger sent an empty payload);
//   - a fetch does what Oban's Basic engine's fetch does: `attempted_by` set to the node and the
//     producer, jobs out of attempts skipped, and the whole job read back (as one JSON array, the
//     cheapest form we measured; Oban's perform receives the job);
//   - the ack is Oban's: completed by id alone (oban-ts's ack also fences on the attempt, which
//     Oban does not do: that is left to our code in the ratio).
// So `oban-ts / baseline-oban-semantics` is what is left to our code, and
// `baseline-oban-semantics / baseline-oban-indexes` is what Oban's schema and semantics cost a
// hand-written queue. Pass it with the peer adapter:
//   EXTRA_ADAPTERS=$PWD/bench/peer-adapter.mjs,$PWD/bench/baseline-oban-semantics.mjs
import pg from 'pg'
import {baseline, baselineVariant} from './shared-baseline.mjs'
import {migrateUp} from '../dist/src/index.js'

const {meta, variants} = baselineVariant(
  'baseline-oban-semantics',
  "baseline-batch on Oban's oban_jobs table, with Oban's insert results, notification and fetch",
)
export {meta, variants}

const NOTIFY = `pg_notify('bench_jobs_insert', '{"queue":"default"}')`

// The job's columns as the fetch reads them back (the id and args as their own columns, since the
// baseline's loops read `row.id` and `row.args`).
const REST = `json_build_array(j.state, j.queue, j.worker, j.meta, j.tags, j.errors, j.attempt, j.max_attempts,
  j.priority, j.inserted_at, j.scheduled_at, j.attempted_at, j.completed_at, j.discarded_at, j.cancelled_at)`

const OBAN_SQL = {
  insertOne: `INSERT INTO bench_jobs (queue, worker, args) VALUES ('default', 'noop', $1::jsonb)
              RETURNING id, inserted_at, ${NOTIFY} AS notified`,
  insertBulk: `WITH inserted AS (
                 INSERT INTO bench_jobs (queue, worker, args)
                 SELECT 'default', 'noop', x FROM jsonb_array_elements($1::jsonb) AS x
                 RETURNING id
               )
               SELECT min(id) AS first, max(id) AS last, count(*) AS n, timezone('UTC', now()) AS inserted_at,
                      ${NOTIFY} AS notified
                 FROM inserted`,
  fetch: `WITH subset AS (
            SELECT id FROM bench_jobs
             WHERE state = 'available' AND queue = $1
             ORDER BY priority, scheduled_at, id
             LIMIT $2
             FOR UPDATE SKIP LOCKED
          )
          UPDATE bench_jobs AS j
             SET state = 'executing', attempted_at = timezone('UTC', now()), attempt = j.attempt + 1,
                 attempted_by = ARRAY['bench-node', '6f1c1a52-3c2e-4a8e-9d0b-1f7e1f0e2a41']
            FROM subset
           WHERE j.id = subset.id AND j.attempt < j.max_attempts
          RETURNING j.id, j.args, ${REST} AS job`,
  completeMany: `UPDATE bench_jobs SET state = 'completed', completed_at = timezone('UTC', now())
                  WHERE id = ANY($1::bigint[])`,
  pending: `SELECT count(*)::int AS n FROM bench_jobs WHERE state IN ('available', 'executing')`,
}

export function createAdapter() {
  const base = baseline.createAdapter({mode: 'batch'})
  return {
    ...base,
    async setup(url) {
      // Only this system's child process loads this adapter's statements: the baseline's other
      // variants, run in processes of their own, keep theirs.
      for (const [key, text] of Object.entries(OBAN_SQL)) baseline.SQL[key].text = text
      await base.setup(url)
      await migrateUp({databaseUrl: url})
      const client = new pg.Client({connectionString: url})
      await client.connect()
      try {
        await client.query(`DROP TABLE bench_jobs; CREATE TABLE bench_jobs (LIKE oban_jobs INCLUDING ALL)`)
      } finally {
        await client.end()
      }
    },
  }
}
