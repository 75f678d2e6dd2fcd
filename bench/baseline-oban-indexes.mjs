// The shared benchmark's own `baseline-batch`, unchanged, on a table given the rest of Oban's
// index set: a `meta` column, GIN indexes on args and meta, and the (state, cancelled_at) and
// (state, discarded_at) indexes of Oban's schema version 14. oban-ts must keep those indexes to
// share a database with Elixir and Python nodes; this variant measures what they cost the
// hand-written baseline, so the ratio of oban-ts to it is what is left to our code.
// Pass it with the peer adapter:
//   EXTRA_ADAPTERS=$PWD/bench/peer-adapter.mjs,$PWD/bench/baseline-oban-indexes.mjs
import pg from 'pg'
import {baseline, baselineVariant} from './shared-baseline.mjs'

const {meta, variants} = baselineVariant(
  'baseline-oban-indexes',
  "baseline-batch on a table with Oban's full index set (2 GIN + 2 more btree)",
)
export {meta, variants}

const OBAN_INDEXES = `
ALTER TABLE bench_jobs
  ADD COLUMN meta jsonb DEFAULT '{}'::jsonb,
  ADD COLUMN discarded_at timestamptz,
  ADD COLUMN cancelled_at timestamptz;
CREATE INDEX bench_jobs_args_index ON bench_jobs USING gin (args);
CREATE INDEX bench_jobs_meta_index ON bench_jobs USING gin (meta);
CREATE INDEX bench_jobs_state_cancelled_at_index ON bench_jobs (state, cancelled_at);
CREATE INDEX bench_jobs_state_discarded_at_index ON bench_jobs (state, discarded_at);
`

export function createAdapter() {
  const base = baseline.createAdapter({mode: 'batch'})
  return {
    ...base,
    async setup(url) {
      await base.setup(url)
      const client = new pg.Client({connectionString: url})
      await client.connect()
      try {
        await client.query(OBAN_INDEXES)
      } finally {
        await client.end()
      }
    },
  }
}
