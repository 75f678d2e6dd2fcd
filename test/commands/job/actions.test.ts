import {fileURLToPath} from 'node:url'
import {beforeEach, describe, expect, it} from 'vitest'
import {exitOf, runArgv, takeExitCode} from '../../helpers/command-examples.js'
import {insertEveryState} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {signalListener} from '../../helpers/signal-listener.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_job_actions')
const listener = await signalListener(url, pool)
let ids: Record<string, string>
beforeEach(async () => {
  await pool.query('TRUNCATE oban_jobs')
  ids = await insertEveryState(pool)
})

const oban = (...argv: string[]) => runArgv(root, ['job', ...argv, '--database-url', url])
const states = async () => {
  const {rows} = await pool.query<{id: string; state: string}>('SELECT id, state FROM oban_jobs')
  const byId = new Map(rows.map((row) => [row.id, row.state]))
  return Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, byId.get(id) ?? 'deleted']))
}

// The documented shape of the --json result (README, "Scripting").
const RESULT_KEYS = [
  'aborted',
  'action',
  'batches',
  'byState',
  'changed',
  'changedIds',
  'matched',
  'notEligible',
  'notFound',
  'prefix',
  'signalled',
  'skipped',
]

describe('oban job retry', () => {
  it('retries jobs by id and names those it does not apply to', async () => {
    const {stdout, stderr, error} = await oban('retry', String(ids.discarded), String(ids.available))
    expect(error).toBeUndefined()
    expect(stderr).toBe('')
    expect(stdout).toBe(
      `Retried 1 job (discarded 1).\nNot retried, as retry does not apply to their state: ${ids.available} (available).\n`,
    )
    expect(await states()).toMatchObject({discarded: 'available', available: 'available'})
  })

  it('refuses a filter without --yes off a terminal, changing nothing', async () => {
    const before = await states()
    const {error, stdout} = await oban('retry', '--queue', 'default')
    expect(error?.message).toBe(
      'refusing to retry 5 jobs matching --queue default without confirmation: stdin is not a terminal; pass --yes to retry them',
    )
    expect(exitOf(error)).toBe(2)
    expect(stdout).toBe('')
    expect(await states()).toEqual(before)
  })

  it('retries every job matching a filter with --yes, and reports it as JSON', async () => {
    const {stdout, result} = await oban(
      'retry',
      '--queue',
      'default',
      '--state',
      'retryable,discarded',
      '--yes',
      '--json',
    )
    expect(JSON.parse(stdout)).toEqual(result)
    expect(Object.keys(result as object).sort()).toEqual(RESULT_KEYS)
    expect(result).toEqual({
      action: 'retry',
      prefix: 'public',
      matched: 2,
      aborted: false,
      changed: 2,
      byState: {retryable: 1, discarded: 1},
      signalled: 0,
      batches: 1,
      skipped: 0,
      changedIds: null,
      notFound: [],
      notEligible: [],
    })
    expect(await states()).toMatchObject({retryable: 'available', discarded: 'available', cancelled: 'cancelled'})
  })

  it('needs no confirmation when nothing matches', async () => {
    const {stdout, error} = await oban('retry', '--worker', 'Nope')
    expect(error).toBeUndefined()
    expect(stdout).toBe(
      'No jobs to retry match --worker Nope (retry applies to suspended, scheduled, retryable, completed, discarded, cancelled jobs).\n',
    )
  })

  it('acts on the ids that exist, then fails with exit code 1 naming the others', async () => {
    const {stdout, error} = await oban('retry', String(ids.completed), '999998', '999999')
    expect(stdout).toBe('Retried 1 job (completed 1).\n')
    expect(error?.message).toBe('no jobs with ids 999998, 999999')
    expect(exitOf(error)).toBe(1)
    expect(await states()).toMatchObject({completed: 'available'})

    takeExitCode()
    const json = await oban('retry', String(ids.cancelled), '999999', '--json')
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'job_not_found',
        message: 'no job with id 999999',
        result: expect.objectContaining({
          changed: 1,
          changedIds: [Number(ids.cancelled)],
          notFound: [999999],
        }) as object,
      },
    })
    expect(takeExitCode()).toBe(1)
  })
})

describe('oban job cancel', () => {
  it("cancels by filter and sends Oban's pkill for the executing job", async () => {
    let output: Awaited<ReturnType<typeof oban>> | undefined
    const sent = await listener.collect(async () => (output = await oban('cancel', '--queue', 'mailers', '--yes')))
    expect(output?.error).toBeUndefined()
    expect(output?.stdout).toBe(
      'Cancelled 2 jobs (available 1, executing 1).\nSent pkill for 1 executing job: the nodes running them abort them.\n',
    )
    expect(sent).toEqual([{channel: 'public.oban_signal', payload: {action: 'pkill', job_id: Number(ids.executing)}}])
    expect(await states()).toMatchObject({available: 'cancelled', executing: 'cancelled', completed: 'completed'})
  })
})

describe('oban job delete', () => {
  it('deletes every job but the executing one with --all --yes', async () => {
    const {stdout, result} = await oban('delete', '--all', '--yes', '--json')
    expect(result).toMatchObject({action: 'delete', matched: 7, changed: 7, changedIds: null})
    expect(JSON.parse(stdout)).toEqual(result)
    expect(Object.values(await states()).filter((state) => state !== 'deleted')).toEqual(['executing'])
  })

  it('deletes by id, leaving an executing job', async () => {
    const {stdout} = await oban('delete', String(ids.executing), String(ids.cancelled))
    expect(stdout).toBe(
      `Deleted 1 job (cancelled 1).\nNot deleted, as delete does not apply to their state: ${ids.executing} (executing).\n`,
    )
  })
})

describe('usage errors', () => {
  it.each([
    [['retry'], /^give the ids of the jobs to retry, a filter \(--queue, --state, /],
    [['delete', '--all', '--queue', 'default'], /^--all means every job: give it without ids or filters/],
    [['cancel', 'abc'], /^invalid job id "abc": ids are positive integers no larger than 9223372036854775807$/],
    [['retry', '--state', 'done'], /^unknown state "done"/],
    [['delete', '--args-contains', 'x', '--yes'], /^--args-contains must be a JSON object: /],
  ])('refuses %j with exit code 2', async (argv, message) => {
    const {error} = await oban(...argv)
    expect(error?.message).toMatch(message)
    expect(exitOf(error)).toBe(2)
  })

  it('says clearly when the schema has no Oban tables', async () => {
    const {error} = await oban('cancel', '1', '--prefix', 'nowhere')
    expect(error?.message).toMatch(/^the Oban tables are not installed in schema "nowhere"/)
    expect(exitOf(error)).toBe(1)
  })
})
