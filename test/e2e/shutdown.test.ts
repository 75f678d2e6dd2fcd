import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {createFixture, createRunsTable, insertJobs, resetTables, sleeper} from '../helpers/e2e.js'
import {eventually, migratedDatabase, readJob} from '../helpers/oban-db.js'
import {elapsed} from '../helpers/wait.js'

const {url, pool} = await migratedDatabase('e2e_shutdown')
const fixture = createFixture(url)
beforeAll(() => createRunsTable(pool))
beforeEach(() => resetTables(pool))

const run = async (jobId: string) =>
  (
    await pool.query<{finished_at: Date | null; aborted: string | null}>(
      'SELECT finished_at, aborted FROM runs WHERE job_id = $1',
      [jobId],
    )
  ).rows[0]
const started = (jobId: string) =>
  eventually(async () => (await run(jobId)) !== undefined, 20_000, `job ${jobId} running`)

describe('oban start on SIGTERM', {timeout: 120_000}, () => {
  it('lets a running job finish, then exits 0 within the grace period', async () => {
    const node = await fixture.start('down-1', {
      config: fixture.config({queues: {default: 2}, shutdownGracePeriod: '20s'}),
    })
    const [job] = await insertJobs(pool, [sleeper({ms: 2_000})])
    await started(job!.id)
    const signalledAt = Date.now()
    node.signal('SIGTERM')
    expect(await node.exited).toEqual({code: 0, signal: null})
    expect(Date.now() - signalledAt).toBeLessThan(20_000)
    expect((await readJob(pool, job!.id)).state).toBe('completed')
    expect(await run(job!.id)).toEqual({finished_at: expect.any(Date) as Date, aborted: null})
    expect(node.stdout()).toMatch(
      /SIGTERM: stopping\.\.\.\nWaiting up to 20s \(shutdownGracePeriod\) for 1 running job to finish; [^\n]+\nStopped\.\n$/,
    )
    expect(node.stderr()).not.toMatch(/warn|error/i)
  })

  it('leaves a job still running after the grace period executing (an orphan) and exits anyway', async () => {
    const node = await fixture.start('down-2', {
      config: fixture.config({queues: {default: 2}, shutdownGracePeriod: '1s'}),
    })
    // One job that honours its abort signal, one that ignores it and would keep Node alive for a minute.
    const [polite, stubborn] = await insertJobs(pool, [sleeper({ms: 60_000}), sleeper({ms: 60_000, ignoreAbort: true})])
    await started(polite!.id)
    await started(stubborn!.id)
    const signalledAt = Date.now()
    node.signal('SIGTERM')
    expect(await node.exited).toEqual({code: 0, signal: null})
    expect(Date.now() - signalledAt).toBeLessThan(30_000)
    for (const job of [polite!, stubborn!]) expect((await readJob(pool, job.id)).state).toBe('executing')
    // The polite worker saw its signal abort at the end of the grace period.
    expect(await run(polite!.id)).toEqual({finished_at: null, aborted: 'Error'})
    expect(node.stderr()).toMatch(/2 jobs were still running at shutdown and stay executing until rescued/)
  })

  it('exits at once on a second SIGTERM more than 0.5 s after the first', async () => {
    const node = await fixture.start('down-3', {
      config: fixture.config({queues: {default: 1}, shutdownGracePeriod: '60s'}),
    })
    const [job] = await insertJobs(pool, [sleeper({ms: 60_000, ignoreAbort: true})])
    await started(job!.id)
    node.signal('SIGTERM')
    await node.waitFor(/SIGTERM: stopping/)
    // The rule under test is a span of time: the node has handled the first signal by now.
    await elapsed(Date.now(), 800)
    expect(node.running).toBe(true)
    node.signal('SIGTERM')
    expect(await node.exited).toEqual({code: 143, signal: null})
    expect(node.stderr()).toContain('Second signal: exiting without waiting.')
    expect((await readJob(pool, job!.id)).state).toBe('executing')
  })

  it('treats two signals within 0.5 s as one (a doubled Ctrl-C) and still drains', async () => {
    const node = await fixture.start('down-4', {
      config: fixture.config({queues: {default: 1}, shutdownGracePeriod: '20s'}),
    })
    const [job] = await insertJobs(pool, [sleeper({ms: 1_500})])
    await started(job!.id)
    node.signal('SIGTERM')
    node.signal('SIGINT')
    expect(await node.exited).toEqual({code: 0, signal: null})
    expect((await readJob(pool, job!.id)).state).toBe('completed')
  })
})
