// oban-ts in the shared peer benchmark (../shared/bench). Run from the repository root, after
// `npm run build`:
//   EXTRA_ADAPTERS=$PWD/bench/peer-adapter.mjs SYSTEMS=baseline-batch,graphile-worker-batched,oban-ts \
//     ../shared/bench/run.sh
// It uses only the public API, with default settings: migrations, Oban.insertAll (bulk),
// Oban.insert (one by one), and an instance running queue `default` at the given concurrency.
import pg from 'pg'
import {Oban, defineWorker} from '../dist/src/index.js'

export const meta = {packages: ['pg']}

export const variants = [{id: 'oban-ts', label: 'oban-ts (this repository), default settings', options: {}}]

export function createAdapter() {
  let url
  let client // the inserting side: an instance with no queues, as an application node would be
  let worker // the executing side, started by startWorker
  let pending

  // A named (prepared) statement, as the shared baseline's own count: the harness polls it every
  // 5 ms during a drain, so planning it each time would be charged to oban-ts.
  const count = async () =>
    (
      await pending.query({
        name: 'bench_pending',
        text: `SELECT count(*)::int AS n FROM oban_jobs WHERE state IN ('available', 'executing')`,
      })
    ).rows[0].n

  return {
    async setup(dbUrl) {
      url = dbUrl
      pending = new pg.Pool({connectionString: dbUrl, max: 2})
      // pg-pool's end() resolves before its clients' sockets close: a database dropped right after
      // teardown would otherwise kill the process with an unhandled pool error.
      pending.on('error', () => {})
      client = new Oban({name: 'BenchClient', databaseUrl: dbUrl, logLevel: 'warn', plugins: false, stager: false})
      await client.start({migrate: true})
    },
    async insertBulk(n) {
      await client.insertAll(Array.from({length: n}, (_, i) => ({worker: 'Bench.Noop', args: {i}})))
    },
    async insertOne(payload) {
      await client.insert({worker: 'Bench.Noop', args: payload})
    },
    async startWorker({concurrency, onStart}) {
      const Noop = defineWorker({
        name: 'Bench.Noop',
        perform: async (job) => {
          await onStart(job.args)
        },
      })
      worker = new Oban({
        name: 'BenchWorker',
        databaseUrl: url,
        logLevel: 'warn',
        queues: {default: concurrency},
        workers: [Noop],
      })
      await worker.start()
    },
    countPending: count,
    async teardown() {
      await worker?.stop()
      await client?.stop()
      await pending?.end()
      worker = client = pending = undefined
    },
  }
}
