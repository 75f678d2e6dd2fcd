import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {sendQueueSignal} from '../../src/client/queue-control.js'
import {LIBRARY, REPO} from '../helpers/cli.js'
import {createFixture, createRunsTable, insertJobs, resetTables, sleeper} from '../helpers/e2e.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('e2e_frozen_node')
const fixture = createFixture(url)
beforeAll(async () => {
  await createRunsTable(pool)
  await pool.query('CREATE TABLE gates (job_id bigint NOT NULL, attempt int NOT NULL)')
  writeFileSync(join(fixture.dir, 'conf', 'gate-workers.ts'), gateWorkers())
})
beforeEach(async () => {
  await resetTables(pool)
  await pool.query('TRUNCATE gates')
  await pool.query('DELETE FROM oban_ts_nodes').catch(() => undefined)
})

interface Row {
  id: string
  state: string
  attempt: number
  node: string | null
}

async function rows(ids: readonly string[]): Promise<Row[]> {
  const {rows} = await pool.query<{id: string; state: string; attempt: number; node: string | null}>(
    'SELECT id, state, attempt, attempted_by[1] AS node FROM oban_jobs WHERE id = ANY($1) ORDER BY id',
    [ids],
  )
  return rows
}

const allOn = (node: string, attempt: number) => async (ids: readonly string[]) =>
  (await rows(ids)).every((row) => row.state === 'executing' && row.node === node && row.attempt === attempt)

/**
 * edge-b starts first and leads; its Lifeline rescues a job as soon as its node is gone (no live
 * presence row). Its queue starts paused, so that the jobs go to edge-a, and is resumed once
 * edge-a is frozen.
 */
async function nodes() {
  const b = await fixture.start('edge-b', {
    config: fixture.config({
      workers: ['./workers.ts', './gate-workers.ts'],
      queues: {default: {limit: 10, paused: true}},
      plugins: [['Lifeline', {interval: '500ms', rescueAfter: '1s'}]],
    }),
  })
  const a = await fixture.start('edge-a', {
    config: fixture.config({workers: ['./workers.ts', './gate-workers.ts'], queues: {default: 10}, plugins: []}),
  })
  const resumeB = () => sendQueueSignal(pool, 'public', 'resume', {queue: 'default', instance: 'Oban', node: 'edge-b'})
  return {a, b, resumeB}
}

describe('a node frozen (SIGSTOP) while its jobs are rescued and run elsewhere', {timeout: 240_000}, () => {
  it('finishing its attempts when it wakes changes nothing of the other node’s attempts', async () => {
    const {a, resumeB} = await nodes()
    const ids = (
      await insertJobs(
        pool,
        Array.from({length: 4}, () => ({worker: 'E2E.Gate', args: {}})),
      )
    ).map((job) => job.id)
    await eventually(() => allOn('edge-a', 1)(ids), 30_000, 'the jobs running on edge-a')

    a.signal('SIGSTOP')
    // Its presence row lapses (here at once, so that the pause stays short), the leader's Lifeline
    // rescues its jobs, and edge-b runs them again as attempt 2.
    await pool.query(`UPDATE oban_ts_nodes SET expires_at = timezone('UTC', now()) WHERE node = 'edge-a'`)
    await resumeB()
    await eventually(() => allOn('edge-b', 2)(ids), 30_000, 'the jobs rescued and running on edge-b')
    // edge-a's attempts may end now (their gates open), edge-b's stay running.
    await pool.query('INSERT INTO gates SELECT unnest($1::bigint[]), 1', [ids])
    a.signal('SIGCONT')

    for (const id of ids)
      await a.waitFor(
        new RegExp(
          `job ${id}: ignored the complete of attempt 1 from this node \\(edge-a\\): node edge-b is running it now \\(attempt 2\\)`,
        ),
        {stream: 'stderr', timeoutMs: 20_000},
      )
    expect(await rows(ids)).toEqual(ids.map((id) => ({id, state: 'executing', attempt: 2, node: 'edge-b'})))
    // The pause was far shorter than a presence row's lifetime: no check of running jobs.
    expect(a.stderr()).not.toMatch(/was paused for/)

    await pool.query('INSERT INTO gates SELECT unnest($1::bigint[]), 2', [ids])
    await eventually(
      async () => (await rows(ids)).every((row) => row.state === 'completed' && row.attempt === 2),
      20_000,
      "edge-b's attempts completed",
    )
  })

  it('after a pause longer than its presence row lives, it stops running the jobs rescued meanwhile', async () => {
    const {a, b, resumeB} = await nodes()
    // Five jobs whose runs end during the freeze, five still running when edge-a wakes.
    const jobs = await insertJobs(pool, [
      ...Array.from({length: 5}, () => sleeper({ms: 20_000})),
      ...Array.from({length: 5}, () => sleeper({ms: 600_000})),
    ])
    const ids = jobs.map((job) => job.id)
    const running = ids.slice(5)
    await eventually(() => allOn('edge-a', 1)(ids), 30_000, 'all ten jobs running on edge-a')
    await eventually(
      async () => (await pool.query(`SELECT 1 FROM runs WHERE node = 'edge-a'`)).rowCount === 10,
      30_000,
      'all ten runs started',
    )

    a.signal('SIGSTOP')
    await resumeB()
    // Rescued once edge-a's presence row has lapsed (up to 30 s), then run by edge-b.
    await eventually(() => allOn('edge-b', 2)(ids), 90_000, 'all ten jobs rescued and running on edge-b')
    a.signal('SIGCONT')

    await a.waitFor(/this node \(edge-a\) was paused for \d+\.\ds; \d+ of its running jobs are no longer its own/, {
      stream: 'stderr',
      timeoutMs: 20_000,
    })
    // Each job was either aborted by that check, or (if its run had ended and it was being
    // acknowledged first) had its ack ignored; the runs still going are always aborted.
    const accounted = (id: string) =>
      a.stderr().includes(`${id} (attempt 2 on edge-b)`) ||
      a.stderr().includes(`job ${id}: ignored the complete of attempt 1 from this node (edge-a)`)
    await eventually(() => ids.every(accounted), 20_000, 'every job aborted or its ack ignored')
    for (const id of running) expect(a.stderr()).toContain(`${id} (attempt 2 on edge-b)`)

    // edge-b's attempts are untouched: still executing there, as attempt 2.
    expect(await rows(ids)).toEqual(ids.map((id) => ({id, state: 'executing', attempt: 2, node: 'edge-b'})))
    // edge-a's copies of the long jobs were aborted (the fixture's worker records the reason).
    const aborted = async () =>
      (
        await pool.query<{job_id: string; aborted: string | null}>(
          `SELECT job_id, aborted FROM runs WHERE node = 'edge-a' AND job_id = ANY($1) ORDER BY job_id`,
          [running],
        )
      ).rows
    await eventually(async () => (await aborted()).every((run) => run.aborted !== null), 10_000, 'the aborts recorded')
    expect(await aborted()).toEqual(running.map((id) => ({job_id: String(id), aborted: 'JobRescued'})))
    expect(b.running).toBe(true)
    expect(a.running).toBe(true)
  })
})

/** `E2E.Gate`: records its run, then runs until the test inserts (job id, attempt) into `gates`. */
function gateWorkers(): string {
  const index = LIBRARY
  const pkg = join(REPO, 'package.json')
  return `import {createRequire} from 'node:module'
import {defineWorker} from ${JSON.stringify(index)}

const require = createRequire(${JSON.stringify(pkg)})
const pg = require('pg')
const pool = new pg.Pool({connectionString: process.env.E2E_DATABASE_URL, max: 3, allowExitOnIdle: true})
pool.on('error', () => {})

export const Gate = defineWorker({
  name: 'E2E.Gate',
  async perform(job) {
    await pool.query('INSERT INTO runs (job_id, node) VALUES ($1, $2)', [job.id, (job.attemptedBy ?? [])[0] ?? null])
    for (;;) {
      const {rowCount} = await pool.query('SELECT 1 FROM gates WHERE job_id = $1 AND attempt = $2', [job.id, job.attempt])
      if (rowCount) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  },
})
`
}
