import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import JobCancel from '../../commands/job/cancel.js'
import JobDelete from '../../commands/job/delete.js'
import JobList from '../../commands/job/list.js'
import JobRetry from '../../commands/job/retry.js'
import JobShow from '../../commands/job/show.js'
import QueueList from '../../commands/queue/list.js'
import Status from '../../commands/status.js'
import {migrateUp} from '../../src/db/migrations/index.js'
import {exampleArgv, runArgv, takeExitCode} from '../helpers/command-examples.js'
import {insertEveryState, insertJobRows} from '../helpers/job-rows.js'
import {migratedDatabase} from '../helpers/oban-db.js'

// Every example in the help of the job, queue-list and status commands, run as written (plus
// --database-url) against jobs in every state, in an order in which each one makes sense: the
// ids they name (42, 43, 44) exist, in states the commands apply to.
const root = fileURLToPath(new URL('../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_operator_examples')
beforeAll(async () => {
  await insertEveryState(pool)
  await insertJobRows(pool, [
    {id: 42, state: 'discarded', worker: 'MyApp.Workers.Email', queue: 'mailers', errors: []},
    {id: 43, state: 'retryable', worker: 'MyApp.Workers.Sync', args: {account: 7}},
    {id: 44, state: 'completed', worker: 'MyApp.Workers.Legacy'},
  ])
  // `oban queue list --instance Other` refuses an instance that no node runs: a lease makes it run.
  await pool.query(
    `INSERT INTO oban_peers (name, node, started_at, expires_at)
     VALUES ('Other', 'n1', timezone('UTC', now()), timezone('UTC', now()) + interval '1 hour')`,
  )
  await migrateUp(pool, {prefix: 'jobs'})
  await insertJobRows(pool, [{id: 42, state: 'available'}], 'jobs')
})

const commands: [string, {examples?: unknown}][] = [
  ['job list', JobList],
  ['job show', JobShow],
  ['queue list', QueueList],
  ['status', Status],
  ['job retry', JobRetry],
  ['job cancel', JobCancel],
  ['job delete', JobDelete],
]

describe('command examples', () => {
  for (const [id, command] of commands) {
    it(`oban ${id}: every example runs`, async () => {
      const examples = command.examples as string[]
      expect(examples.length).toBeGreaterThan(0)
      for (const example of examples) {
        const argv = [...exampleArgv(id, example), '--database-url', url]
        takeExitCode()
        let {error, stdout} = await runArgv(root, argv)
        // A filter without --yes asks for confirmation; off a terminal it is refused instead.
        if ((error as {message?: string} | undefined)?.message?.startsWith('refusing to ')) {
          ;({error, stdout} = await runArgv(root, [...argv, '--yes']))
        }
        expect(error, `${example}: ${String(error)}`).toBeUndefined()
        expect(takeExitCode(), example).toBeUndefined()
        if (argv.includes('--json')) expect(() => JSON.parse(stdout) as unknown, example).not.toThrow()
        else expect(stdout.length, example).toBeGreaterThan(0)
      }
    })
  }
})
