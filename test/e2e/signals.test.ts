import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {cancelJobsById} from '../../src/client/queue-control.js'
import {listNodes} from '../../src/control/nodes.js'
import type {PresenceQueue} from '../../src/cluster/presence-record.js'
import {
  allInState,
  createFixture,
  createRunsTable,
  insertJobs,
  quick,
  resetTables,
  sleeper,
  states,
} from '../helpers/e2e.js'
import {eventually, migratedDatabase, readJob} from '../helpers/oban-db.js'
import {elapsed} from '../helpers/wait.js'

const {url, pool} = await migratedDatabase('e2e_signals')
const fixture = createFixture(url)
beforeAll(() => createRunsTable(pool))
beforeEach(async () => {
  await resetTables(pool)
  // Nodes of earlier tests were killed (SIGKILL) and left their presence rows to expire; the
  // messages about who a signal reaches must see only this test's nodes.
  await pool.query('DELETE FROM oban_ts_nodes').catch(() => undefined)
})

// A running producer polls every second: jobs that stay available this long were not fetched
// because the queue was paused or stopped, not because nobody had looked yet. Only "nothing
// happened" is checked by waiting this long; everything that does happen is awaited.
const QUIET_MS = 2_500

/**
 * Waits until the node's presence row shows its queues in the state `check` expects: a node
 * rewrites its row within a second of a change to a queue, so a signal that shows there has
 * been applied, and a job inserted afterwards cannot overtake it.
 */
async function applied(node: string, check: (queues: PresenceQueue[]) => boolean, message: string): Promise<void> {
  await eventually(
    async () => {
      const row = (await listNodes(pool, {instance: 'Oban'})).find((n) => n.node === node)
      return row !== undefined && check(row.queues)
    },
    20_000,
    message,
  )
}
const queue = (queues: PresenceQueue[], name: string) => queues.find((q) => q.queue === name)

const ids = (jobs: {id: string}[]) => jobs.map((j) => j.id)
const runsQueue = async (node: string, queue: string) =>
  (
    await pool.query(
      `SELECT 1 FROM oban_ts_nodes WHERE node = $1 AND expires_at > timezone('UTC', now()) AND queues @> $2::jsonb`,
      [node, JSON.stringify([{queue}])],
    )
  ).rowCount === 1
const maxConcurrency = async (jobIds: string[]) =>
  (await pool.query<{max: number}>('SELECT max(concurrency)::int AS max FROM runs WHERE job_id = ANY($1)', [jobIds]))
    .rows[0]!.max

describe('queue signals sent by `oban queue` to a running `oban start`', {timeout: 120_000}, () => {
  it('pause keeps new jobs available, resume runs them, scale changes the concurrency', async () => {
    await fixture.start('sig-1', {config: fixture.config({queues: {default: 2}})})

    const paused = await fixture.cli('queue', 'pause', 'default')
    expect(paused).toMatchObject({code: 0, stdout: 'Sent pause for queue default to 1 node running it: Oban.sig-1\n'})
    await applied('sig-1', (qs) => queue(qs, 'default')?.paused === true, 'default paused')
    const insertedAt = Date.now()
    const waiting = ids(await insertJobs(pool, [quick(), quick(), quick()]))
    await elapsed(insertedAt, QUIET_MS)
    expect(await states(pool, waiting)).toEqual(['available', 'available', 'available'])

    const resumed = await fixture.cli('queue', 'resume', 'default')
    expect(resumed).toMatchObject({code: 0, stdout: 'Sent resume for queue default to 1 node running it: Oban.sig-1\n'})
    await eventually(() => allInState(pool, waiting, 'completed'), 20_000, 'jobs completed after resume')

    // At limit 2, never more than 2 at once.
    const before = ids(
      await insertJobs(
        pool,
        Array.from({length: 6}, () => sleeper({ms: 400})),
      ),
    )
    await eventually(() => allInState(pool, before, 'completed'), 30_000, 'first batch completed')
    expect(await maxConcurrency(before)).toBe(2)

    const scaled = await fixture.cli('queue', 'scale', 'default', '--limit', '5')
    expect(scaled).toMatchObject({
      code: 0,
      stdout: 'Sent scale (limit 5) for queue default to 1 node running it: Oban.sig-1\n',
    })
    await applied('sig-1', (qs) => queue(qs, 'default')?.limit === 5, 'default scaled to 5')
    const after = ids(
      await insertJobs(
        pool,
        Array.from({length: 10}, () => sleeper({ms: 1_500})),
      ),
    )
    await eventually(() => allInState(pool, after, 'completed'), 30_000, 'second batch completed')
    expect(await maxConcurrency(after)).toBe(5)
  })

  it('start runs a queue the node was not running, stop removes it again', async () => {
    // --queues replaces the config's queues: only `default` runs at first.
    const node = await fixture.start('sig-2', {
      config: fixture.config({queues: {default: 1, events: 1}}),
      args: ['--queues', 'default:2'],
    })
    const firstAt = Date.now()
    const first = ids(await insertJobs(pool, [quick({}, 'events'), quick({}, 'events')]))
    await elapsed(firstAt, QUIET_MS)
    expect(await states(pool, first)).toEqual(['available', 'available'])

    const started = await fixture.cli('queue', 'start', 'events', '--limit', '3')
    expect(started).toMatchObject({code: 0, stdout: 'Sent start (limit 3) for queue events to 1 node: Oban.sig-2\n'})
    await eventually(() => allInState(pool, first, 'completed'), 20_000, 'events jobs completed')

    // The node's presence row names the queue it now runs (rewritten within a second of a change).
    await eventually(async () => runsQueue('sig-2', 'events'), 10_000, 'presence lists events')
    const stopped = await fixture.cli('queue', 'stop', 'events')
    expect(stopped).toMatchObject({code: 0, stdout: 'Sent stop for queue events to 1 node running it: Oban.sig-2\n'})
    await applied('sig-2', (qs) => queue(qs, 'events') === undefined, 'events stopped')
    const secondAt = Date.now()
    const second = ids(await insertJobs(pool, [quick({}, 'events'), quick({}, 'default')]))
    await eventually(async () => (await states(pool, second))[1] === 'completed', 20_000, 'default still runs')
    await elapsed(secondAt, QUIET_MS)
    expect(await states(pool, second)).toEqual(['available', 'completed'])

    // Started paused, addressed to this node by name: nothing runs until resumed.
    const startedPaused = await fixture.cli('queue', 'start', 'events', '--limit', '1', '--paused', '--node', 'sig-2')
    expect(startedPaused.stdout).toBe('Sent start (limit 1, paused) for queue events to 1 node: Oban.sig-2\n')
    const startedAt = Date.now()
    await applied('sig-2', (qs) => queue(qs, 'events')?.paused === true, 'events started paused')
    await elapsed(startedAt, QUIET_MS)
    expect(await states(pool, [second[0]!])).toEqual(['available'])
    await fixture.cli('queue', 'resume', 'events', '--node', 'sig-2')
    await eventually(() => allInState(pool, second, 'completed'), 20_000, 'events resumed')
    expect(node.running).toBe(true)
  })

  it('a signal for another node is ignored', async () => {
    await fixture.start('sig-3')
    const foreign = await fixture.cli('queue', 'pause', '--all', '--node', 'somebody-else')
    expect(foreign.stdout).toBe(
      'Sent pause for every queue, but node somebody-else of instance Oban is not running it\n',
    )
    expect(foreign.stderr).toContain(
      'no live node somebody-else of instance Oban: check --node and --instance (`oban status` lists the nodes)',
    )
    expect(foreign.code).toBe(0)
    // A queue no node runs: sent (an Elixir node might run it), but said so, with the queues that run.
    const nosuch = await fixture.cli('queue', 'pause', 'defualt')
    expect(nosuch.stdout).toBe('Sent pause for queue defualt, but no live node runs it\n')
    expect(nosuch.stderr).toContain(
      'no live node runs queue defualt (did you mean "default"?): the only live node, Oban.sig-3, runs default',
    )
    // An instance nobody runs is refused, with the ones that run.
    const unknown = await fixture.cli('queue', 'list', '--instance', 'Nope')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr.trim()).toMatch(/^Error: no instance "Nope" is running against .+; running instances: Oban$/)
    // Signals are handled in the order they were sent: once a later one for this node shows in
    // its presence row, the foreign pause has arrived too.
    await fixture.cli('queue', 'scale', 'default', '--limit', '9', '--node', 'sig-3')
    await applied('sig-3', (qs) => queue(qs, 'default')?.limit === 9, 'the later scale applied')
    const jobs = ids(await insertJobs(pool, [quick()]))
    await eventually(() => allInState(pool, jobs, 'completed'), 20_000, 'job completed despite the foreign pause')
  })

  it('cancelling an executing job from another process aborts it where it runs (pkill)', async () => {
    await fixture.start('sig-4')
    const [job] = await insertJobs(pool, [sleeper({ms: 60_000})])
    await eventually(
      async () => ((await pool.query('SELECT 1 FROM runs WHERE job_id = $1', [job!.id])).rowCount ?? 0) > 0,
      20_000,
      'the job running',
    )
    const cancelled = await cancelJobsById(pool, 'public', [job!.id])
    expect(cancelled).toMatchObject([{id: job!.id, previousState: 'executing'}])
    await eventually(
      async () =>
        (
          (await pool.query('SELECT aborted FROM runs WHERE job_id = $1', [job!.id])).rows[0] as {
            aborted: string | null
          }
        ).aborted !== null,
      20_000,
      'the worker saw its signal abort',
    )
    const {rows} = await pool.query<{aborted: string; finished_at: Date | null}>(
      'SELECT aborted, finished_at FROM runs WHERE job_id = $1',
      [job!.id],
    )
    expect(rows).toEqual([{aborted: 'JobKilled', finished_at: null}])
    await eventually(
      async () => ((await readJob(pool, job!.id)).errors as unknown[]).length > 0,
      20_000,
      'the error entry',
    )
    const row = await readJob(pool, job!.id)
    expect(row.state).toBe('cancelled')
    expect(row.cancelled_at).toBeInstanceOf(Date)
    expect(row.errors).toEqual([
      {attempt: 1, at: expect.any(String) as string, error: expect.stringContaining('cancelled') as string},
    ])
  })

  it('keeps obeying signals after its LISTEN connection is killed', async () => {
    const node = await fixture.start('sig-5')
    const listener = async () =>
      (
        await pool.query<{pid: number}>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'oban_notifier'`,
        )
      ).rows.map((r) => r.pid)
    // The previous test's node was killed: its backends leave pg_stat_activity soon, not at once.
    await eventually(async () => (await listener()).length === 1, 10_000, 'one listener connection')
    const before = await listener()
    expect(before).toHaveLength(1)
    await pool.query('SELECT pg_terminate_backend($1)', [before[0]])
    await node.waitFor(/lost the listener connection/, {stream: 'stderr'})
    await node.waitFor(/reconnected and listening again/, {stream: 'stderr'})
    await eventually(
      async () => {
        const after = await listener()
        return after.length === 1 && after[0] !== before[0]
      },
      10_000,
      'one new listener connection',
    )

    // Signals have no poll fallback: this pause only works if the new connection LISTENs again.
    await fixture.cli('queue', 'pause', 'default')
    await applied('sig-5', (qs) => queue(qs, 'default')?.paused === true, 'default paused')
    const insertedAt = Date.now()
    const jobs = ids(await insertJobs(pool, [quick(), quick()]))
    await elapsed(insertedAt, QUIET_MS)
    expect(await states(pool, jobs)).toEqual(['available', 'available'])
    await fixture.cli('queue', 'resume', 'default')
    await eventually(() => allInState(pool, jobs, 'completed'), 20_000, 'jobs completed after resume')
  })

  it('logs and skips malformed payloads on the signal and insert channels, and keeps working', async () => {
    const node = await fixture.start('sig-6')
    const notify = (channel: string, payload: string) => pool.query('SELECT pg_notify($1, $2)', [channel, payload])
    await notify('public.oban_signal', 'not json at all')
    await notify('public.oban_signal', '{"action":"scale","queue":"default","limit":"many","ident":"any"}')
    await notify('public.oban_signal', '["pause"]')
    await notify('public.oban_insert', '{{{')
    await notify('public.oban_insert', 'Z:bm90IGd6aXA=')
    await node.waitFor(
      /ignored a malformed notification on "public\.oban_insert".*\n(.*\n)*.*ignored a malformed notification on "public\.oban_insert"/,
      {
        stream: 'stderr',
      },
    )
    const log = node.stderr()
    expect(log).toContain('ignored a malformed notification on "public.oban_signal": "not json at all"')
    expect(log).toContain(
      'ignored a signal: limit out of range: expected an integer from 1 to 10,000, got "many" (the queue keeps its limit): {"action":"scale"',
    )
    expect(log).toContain('ignored a malformed notification on "public.oban_signal": "[\\"pause\\"]"')
    expect(log).toContain('ignored a malformed notification on "public.oban_insert": "{{{"')
    expect(log).not.toMatch(/^\s+at /m)

    const jobs = ids(await insertJobs(pool, [quick(), quick(), quick()]))
    await eventually(() => allInState(pool, jobs, 'completed'), 20_000, 'jobs completed after the garbage')
    // The queue's limit was not touched by the bad scale: the signal path still works too.
    await fixture.cli('queue', 'pause', 'default')
    await applied('sig-6', (qs) => queue(qs, 'default')?.paused === true, 'default paused')
    const insertedAt = Date.now()
    const held = ids(await insertJobs(pool, [quick()]))
    await elapsed(insertedAt, QUIET_MS)
    expect(await states(pool, held)).toEqual(['available'])
    expect(node.running).toBe(true)
  })
})
