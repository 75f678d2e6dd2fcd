import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {cancelJobsById} from '../../src/client/queue-control.js'
import {insertJob} from '../../src/client/insert.js'
import {fullChannel} from '../../src/db/names.js'
import {parseJson} from '../../src/util/json.js'
import {allInState, createFixture, createRunsTable, insertJobs, quick, resetTables, sleeper} from '../helpers/e2e.js'
import {eventually, insertRaw, migratedDatabase, readJob} from '../helpers/oban-db.js'

// oban_jobs.id is a bigint: every path must carry ids beyond 2^53 (where a double rounds) and up
// to 2^63 - 1 exactly, with real `oban start` nodes and the real CLI.
const {url, pool} = await migratedDatabase('e2e_big_ids')
const fixture = createFixture(url)
beforeAll(() => createRunsTable(pool))
beforeEach(() => resetTables(pool))

const MAX_BIGINT = '9223372036854775807'

async function restartSequenceAt(start: string): Promise<void> {
  if (!/^\d+$/.test(start)) throw new Error(`not a sequence value: ${start}`)
  await pool.query(`ALTER SEQUENCE oban_jobs_id_seq RESTART WITH ${start}`)
}

const plus = (id: string, n: number) => (BigInt(id) + BigInt(n)).toString()
const runIds = async () =>
  (await pool.query<{id: string}>('SELECT job_id::text AS id FROM runs ORDER BY job_id')).rows.map((r) => r.id)

describe.each(['9223372036854775800', '9007199254740993'])('job ids from %s', {timeout: 120_000}, (start) => {
  beforeEach(() => restartSequenceAt(start))

  it('a node runs and acknowledges each job under its exact id; show and list print it exactly', async () => {
    await fixture.start('big-run')
    // From ...800, the eighth job gets 2^63 - 1 itself.
    const jobs = await insertJobs(
      pool,
      Array.from({length: 8}, (_, n) => quick({n})),
    )
    const ids = jobs.map((job) => job.id)
    expect(ids).toEqual(Array.from({length: 8}, (_, n) => plus(start, n)))
    if (start.startsWith('92233')) expect(ids.at(-1)).toBe(MAX_BIGINT)
    await eventually(() => allInState(pool, ids, 'completed'), 60_000, 'every job completed')
    // The worker saw each exact id (it records job.id), once each.
    expect(await runIds()).toEqual(ids)

    const last = ids.at(-1)!
    const shown = await fixture.cli('job', 'show', last)
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain(`Job ${last} E2E.Quick completed`)
    expect(shown.stdout).toMatch(new RegExp(`^id +${last}$`, 'm'))
    const json = await fixture.cli('job', 'show', last, '--json')
    expect(json.code).toBe(0)
    // A JSON integer with every digit, as jq and Oban read it.
    expect(json.stdout).toContain(`"id": ${last},`)
    expect((parseJson(json.stdout) as {id: unknown}).id).toBe(BigInt(last))
    const listed = await fixture.cli('job', 'list', '--json', '--limit', '100')
    expect(listed.code).toBe(0)
    const listedIds = (parseJson(listed.stdout) as {id: number | bigint}[]).map((job) => String(job.id))
    expect(listedIds).toEqual([...ids].reverse())
    const plain = await fixture.cli('job', 'list', '--state', 'completed')
    for (const id of ids) expect(plain.stdout).toContain(id)
  })

  it('retry, cancel and delete by id, through the CLI and the library', async () => {
    const [a, b, c] = await insertRaw(pool, [{state: 'discarded'}, {state: 'discarded'}, {state: 'scheduled'}])
    expect([a, b, c]).toEqual([start, plus(start, 1), plus(start, 2)])

    const retried = await fixture.cli('job', 'retry', a!, '--json')
    expect(retried.code).toBe(0)
    expect(retried.stdout).toMatch(new RegExp(`"changedIds": \\[\\s*${a}\\s*\\]`))
    expect((await readJob(pool, a!)).state).toBe('available')

    const cancelled = await fixture.cli('job', 'cancel', a!, c!)
    expect(cancelled.code).toBe(0)
    expect(cancelled.stdout).toContain('Cancelled 2 jobs')
    expect((await readJob(pool, c!)).state).toBe('cancelled')

    const deleted = await fixture.cli('job', 'delete', b!, '--json')
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toMatch(new RegExp(`"changedIds": \\[\\s*${b}\\s*\\]`))
    expect(await readJob(pool, b!)).toBeUndefined()

    // The library takes ids as strings, bigints or (safe) numbers.
    const [d] = await insertRaw(pool, [{state: 'available'}])
    expect(await cancelJobsById(pool, 'public', [BigInt(d!)])).toEqual([
      {id: d, queue: 'default', previousState: 'available'},
    ])

    // An id that does not exist is named exactly; one beyond a bigint is refused before connecting.
    const missing = await fixture.cli('job', 'show', plus(start, 6))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(`no job with id ${plus(start, 6)}`)
    const tooBig = await fixture.cli('job', 'show', '9223372036854775808')
    expect(tooBig.code).toBe(2)
    expect(tooBig.stderr).toBe(
      '    Error: invalid job id "9223372036854775808": ids are positive integers no larger than 9223372036854775807\n',
    )
  })

  it('a unique conflict returns the existing job under its exact id', async () => {
    const context = {pool, prefix: 'public', insertTrigger: false}
    const spec = {worker: 'E2E.Quick', args: {k: 1}, unique: true}
    const first = await insertJob(context, spec)
    const second = await insertJob(context, spec)
    expect(first.job.id).toBe(start)
    expect(second).toMatchObject({conflict: true, job: {id: start}})
    const cli = await fixture.cli('job', 'insert', 'E2E.Quick', '--args', '{"k":1}', '--unique', '--json')
    expect(cli.code).toBe(0)
    expect(cli.stdout).toContain(`"id": ${start},`)
    expect(cli.stdout).toContain('"conflict": true')
  })

  it('pkill: a cancel through the CLI, and a raw pkill as an Elixir node sends it, abort the exact job', async () => {
    await fixture.start('big-pkill')
    const [first, second] = await insertJobs(pool, [sleeper({ms: 60_000}), sleeper({ms: 60_000})])
    await eventually(async () => (await runIds()).length === 2, 30_000, 'both jobs running')

    const cancelled = await fixture.cli('job', 'cancel', first!.id)
    expect(cancelled.code).toBe(0)
    const aborted = async (id: string) =>
      (await pool.query<{aborted: string | null}>('SELECT aborted FROM runs WHERE job_id = $1::bigint', [id])).rows[0]
        ?.aborted
    await eventually(async () => (await aborted(first!.id)) === 'JobKilled', 30_000, 'the first job killed')
    await eventually(async () => (await readJob(pool, first!.id)).state === 'cancelled', 30_000, 'first cancelled')

    // Oban's own payload: the id as a bare JSON integer with all its digits.
    await pool.query('SELECT pg_notify($1, $2)', [
      fullChannel('public', 'signal'),
      `{"action":"pkill","job_id":${second!.id}}`,
    ])
    await eventually(async () => (await aborted(second!.id)) === 'JobKilled', 30_000, 'the second job killed')
    await eventually(async () => (await readJob(pool, second!.id)).state === 'cancelled', 30_000, 'second cancelled')
    expect((await readJob(pool, second!.id)).errors).toHaveLength(1)
  })
})
