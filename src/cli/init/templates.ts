/*
 * The files `oban init` writes. Both import from 'oban-ts', the package that also provides the
 * `oban` command, so a project needs `npm install oban-ts` and nothing else.
 */

/** The example worker's name, as stored in `oban_jobs.worker`. */
export const EXAMPLE_WORKER = 'ExampleWorker'

export const CONFIG_TEMPLATE = `import {defineConfig} from 'oban-ts'

// Loaded by \`npx oban start\` (or \`npx oban start --config oban.config.ts\`). Without DATABASE_URL,
// oban runs its own PostgreSQL under .oban/. Every option is in the oban-ts README, "Configuration".
export default defineConfig({
  queues: {default: 10},
  // Module paths (or folders) relative to this file; every worker they export is registered.
  workers: ['./workers/example-worker.ts'],
  // Breakdown: the live <queue, state, count> table in the terminal (refreshed every interval).
  // Lifeline: a job left executing by a node that is gone (Ctrl-C twice, a crash) runs again
  // after rescueAfter; jobs of running oban-ts nodes are never rescued.
  // Pruner: completed, cancelled and discarded jobs are deleted after maxAge.
  // Cron and Reindexer too: see the README, "Maintenance plugins: Pruner, Lifeline, Cron, Reindexer".
  plugins: [['Breakdown', {interval: '5s'}], ['Lifeline', {rescueAfter: '5m'}], ['Pruner', {maxAge: '7d'}]],
})
`

export const WORKER_TEMPLATE = `import {defineWorker} from 'oban-ts'

/**
 * An example worker. With \`npx oban start\` running, insert a job for it from another terminal:
 *
 *   npx oban job insert ${EXAMPLE_WORKER} --args '{"name": "Ada"}'
 *
 * then look at it with \`npx oban job list\`. Return normally to complete the job; throw (or
 * return error(reason)) to retry it with backoff, up to maxAttempts.
 */
export const ExampleWorker = defineWorker<{name?: string}>({
  name: '${EXAMPLE_WORKER}',
  queue: 'default',
  maxAttempts: 3,
  async perform(job) {
    console.log(\`Hello, \${job.args.name ?? 'world'}! (job \${job.id}, attempt \${job.attempt})\`)
  },
})
`

/** The line `oban init` adds to .gitignore: the embedded PostgreSQL's data directory. */
export const GITIGNORE_LINE = '.oban/'
