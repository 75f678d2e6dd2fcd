import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import type {PluginCallResult} from '../../src/control/client.js'
import {createFixture, createRunsTable, insertJobs, resetTables, sleeper} from '../helpers/e2e.js'
import {eventually, migratedDatabase, readJob} from '../helpers/oban-db.js'
import {elapsed} from '../helpers/wait.js'

const {url, pool} = await migratedDatabase('e2e_maintenance')
const fixture = createFixture(url)
beforeAll(() => createRunsTable(pool))
beforeEach(() => resetTables(pool))

const started = (jobId: string) =>
  eventually(
    async () => ((await pool.query('SELECT 1 FROM runs WHERE job_id = $1', [jobId])).rowCount ?? 0) > 0,
    20_000,
    `job ${jobId} running`,
  )

/** Every node of the instance runs the four maintenance plugins; a short rescueAfter. */
const config = () =>
  fixture.config({
    plugins: [
      ['Lifeline', {interval: '500ms', rescueAfter: '2s'}],
      ['Pruner', {maxAge: '1h'}],
      ['Cron', {crontab: [['0 0 1 1 *', 'E2E.Quick', {name: 'new-year', queue: 'alive'}]]}],
      ['Reindexer', {timeout: '30s'}],
    ],
  })

async function call(...args: string[]): Promise<PluginCallResult> {
  const {code, stdout, stderr} = await fixture.cli('plugin', ...args, '--json')
  expect(code, stderr).toBe(0)
  return JSON.parse(stdout) as PluginCallResult
}

describe('Lifeline across oban start processes', {timeout: 120_000}, () => {
  it('rescues the jobs of a node killed with SIGKILL once it is gone, and never those of a live node', async () => {
    const file = config()
    // The survivor starts first and leads; it runs queue `alive`, the doomed node queue `doomed`.
    const survivor = await fixture.start('survivor', {config: file, args: ['--queues', 'alive:1']})
    const doomed = await fixture.start('doomed', {config: file, args: ['--queues', 'doomed:2']})
    const [alive, retried, exhausted] = await insertJobs(pool, [
      sleeper({ms: 110_000}, 'alive'),
      sleeper({ms: 110_000}, 'doomed'),
      {...sleeper({ms: 110_000}, 'doomed'), maxAttempts: 1},
    ])
    for (const job of [alive!, retried!, exhausted!]) await started(job.id)
    const runningAt = Date.now()

    // Past rescueAfter (2 s) while both nodes live: nothing is rescued. Nothing to await here:
    // this is the window in which a wrong rescue would have happened.
    await elapsed(runningAt, 3_500)
    for (const job of [alive!, retried!, exhausted!]) expect((await readJob(pool, job.id)).state).toBe('executing')

    doomed.signal('SIGKILL')
    expect((await doomed.exited).signal).toBe('SIGKILL')
    const killedAt = Date.now()
    // Its presence row expires at most 30 s after its last write; then the leader's Lifeline acts.
    await eventually(
      async () => (await readJob(pool, retried!.id)).state !== 'executing',
      45_000,
      "the dead node's jobs rescued",
    )
    expect(Date.now() - killedAt).toBeLessThan(40_000)
    expect(await readJob(pool, retried!.id)).toMatchObject({state: 'available', attempt: 1})
    expect(await readJob(pool, exhausted!.id)).toMatchObject({
      state: 'discarded',
      discarded_at: expect.any(Date) as Date,
    })
    // The survivor's job has been executing far longer than rescueAfter, and stays.
    expect((await readJob(pool, alive!.id)).state).toBe('executing')
    expect(survivor.running).toBe(true)

    // The plugins' functions through `oban plugin`, on the one live node (the leader).
    const rescue = await call('rescue', 'Lifeline')
    expect(rescue.nodes).toEqual([
      expect.objectContaining({node: 'survivor', status: 'ok', result: {leader: true, rescued: [], discarded: []}}),
    ])
    const prune = await call('prune', 'Pruner')
    expect(prune.nodes[0]!.result).toEqual({leader: true, pruned: 0, completed: 0, cancelled: 0, discarded: 0})
    const entries = await call('entries', 'Cron')
    expect(entries.nodes[0]!.result).toEqual([
      expect.objectContaining({
        name: 'new-year',
        worker: 'E2E.Quick',
        nextAt: expect.stringMatching(/-01-01T00:00:00/) as string,
      }),
    ])
    const run = await call('run', 'Cron', 'new-year')
    expect(run.nodes[0]!.result).toMatchObject({leader: true, job: {worker: 'E2E.Quick', queue: 'alive'}})
    const reindex = await call('reindex', 'Reindexer', '--timeout', '60s')
    expect(reindex.nodes[0]!.result).toEqual({
      leader: true,
      dropped: [],
      reindexed: ['oban_jobs_args_index', 'oban_jobs_meta_index'],
      errors: [],
    })
    const plain = await fixture.cli('plugin', 'prune', 'Pruner')
    expect(plain.stdout).toBe(
      'Oban.survivor: ok {"leader":true,"pruned":0,"completed":0,"cancelled":0,"discarded":0}\n',
    )
  })
})
