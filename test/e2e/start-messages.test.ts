import path from 'node:path'
import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {createFixture, createRunsTable, insertJobs, resetTables, sleeper, spawnOban} from '../helpers/e2e.js'
import {eventually, insertRaw, migratedDatabase} from '../helpers/oban-db.js'
import {cleanUpServersAfterEach, tempDir} from '../src/db/embedded/helpers.js'

// What `oban start` says where it used to be silent: each failed job attempt at the default log
// level (and only the jobs that gave up with --log-level error), the wait for running jobs at
// shutdown, and the creation of the embedded PostgreSQL on a first run.
const {url, pool} = await migratedDatabase('e2e_start_messages')
const fixture = createFixture(url)
cleanUpServersAfterEach()
beforeAll(() => createRunsTable(pool))
beforeEach(() => resetTables(pool))

describe('oban start messages', {timeout: 180_000}, () => {
  it('logs each failed attempt: worker, id, attempt/max, the error, what happens next', async () => {
    const node = await fixture.start('fails')
    const [retried, discarded] = await insertRaw(pool, [
      {worker: 'Missing.Worker', maxAttempts: 3},
      {worker: 'Missing.Worker', maxAttempts: 1},
    ])
    await node.waitFor(new RegExp(`job ${discarded} .*discarded`), {stream: 'stderr'})
    await node.waitFor(new RegExp(`job ${retried} .*retrying`), {stream: 'stderr'})
    const lines = node.stderr().split('\n')
    expect(lines).toContain(
      `[Oban] warn: job ${retried} (Missing.Worker) failed, attempt 1 of 3: unknown worker: Missing.Worker; retrying after a backoff (attempt 2 of 3)`,
    )
    expect(lines).toContain(
      `[Oban] error: job ${discarded} (Missing.Worker) failed, attempt 1 of 1: unknown worker: Missing.Worker; discarded, no attempts left`,
    )
  })

  it('keeps only the jobs that gave up with --log-level error', async () => {
    const node = await fixture.start('quiet', {args: ['--log-level', 'error']})
    const [retried, discarded] = await insertRaw(pool, [
      {worker: 'Missing.Worker', maxAttempts: 3},
      {worker: 'Missing.Worker', maxAttempts: 1},
    ])
    await node.waitFor(new RegExp(`job ${discarded} .*discarded`), {stream: 'stderr'})
    await eventually(
      async () =>
        (await pool.query(`SELECT 1 FROM oban_jobs WHERE id = $1 AND state = 'retryable'`, [retried])).rowCount === 1,
      20_000,
      'the first job retryable',
    )
    expect(node.stderr()).not.toContain(`job ${retried} `)
  })

  it('says how long it waits for running jobs when stopping', async () => {
    const config = fixture.config({queues: {default: 2}, shutdownGracePeriod: '2s'})
    const node = await fixture.start('stopping', {config})
    const [job] = await insertJobs(pool, [sleeper({ms: 60_000})])
    await eventually(
      async () => ((await pool.query('SELECT 1 FROM runs WHERE job_id = $1', [job!.id])).rowCount ?? 0) > 0,
      20_000,
      'the job running',
    )
    node.signal('SIGINT')
    await node.exited
    expect(node.stdout()).toContain(
      'SIGINT: stopping...\nWaiting up to 2s (shutdownGracePeriod) for 1 running job to finish; press Ctrl-C again to exit now (Lifeline runs it again later).\n',
    )
  })

  it('says it is creating the embedded PostgreSQL on a first run', async () => {
    const dir = await tempDir('oban-first-run-')
    const dataDir = path.join(dir, '.oban')
    const node = spawnOban(['start', '--data-dir', dataDir, '--node', 'first'], {
      cwd: dir,
      env: {DATABASE_URL: '', OBAN_DATABASE_URL: '', OBAN_DATA_DIR: ''},
    })
    await node.waitFor(/Creating the embedded PostgreSQL/, {stream: 'stderr', timeoutMs: 30_000})
    expect(node.stderr()).toContain(
      `Creating the embedded PostgreSQL in ${dataDir} (first run: initdb, then Oban's tables; 10 to 45 seconds)...\n`,
    )
    expect(node.stdout()).not.toContain('is running on')
    await node.waitFor(/is running on/, {timeoutMs: 90_000})
    // The server it created is stopped with the test's temporary directory.
    node.signal('SIGINT')
    await node.exited
  })

  it('a Ctrl-C while it starts stops the instance cleanly once it runs', async () => {
    const dir = await tempDir('oban-early-signal-')
    const node = spawnOban(['start', '--data-dir', path.join(dir, '.oban'), '--node', 'early'], {
      cwd: dir,
      env: {DATABASE_URL: '', OBAN_DATABASE_URL: '', OBAN_DATA_DIR: ''},
    })
    await node.waitFor(/Creating the embedded PostgreSQL/, {stream: 'stderr', timeoutMs: 30_000})
    node.signal('SIGINT')
    expect(await node.exited).toEqual({code: 0, signal: null})
    expect(node.stdout()).toMatch(/is running on[\s\S]*SIGINT: stopping\.\.\.\nStopped\.\n/)
  })
})
