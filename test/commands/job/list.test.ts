import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import {exitOf, plainCells, runArgv, takeExitCode} from '../../helpers/command-examples.js'
import {insertEveryState} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_job_list')
let ids: Record<string, string>
beforeAll(async () => {
  ids = await insertEveryState(pool)
})

const list = (...argv: string[]) => runArgv(root, ['job', 'list', ...argv, '--database-url', url])

// The documented shape of a job in --json output (README, "Scripting").
const JOB_KEYS = [
  'args',
  'attempt',
  'attemptedAt',
  'attemptedBy',
  'cancelledAt',
  'completedAt',
  'discardedAt',
  'errors',
  'id',
  'insertedAt',
  'maxAttempts',
  'meta',
  'priority',
  'queue',
  'scheduledAt',
  'state',
  'tags',
  'worker',
]

describe('oban job list', () => {
  it('prints every job newest first as plain columns off a terminal', async () => {
    const {stdout, stderr, error} = await list()
    expect(error).toBeUndefined()
    expect(stderr).toBe('')
    expect(stdout).not.toContain('\x1b[')
    expect(plainCells(stdout)).toEqual([
      ['ID', 'STATE', 'QUEUE', 'WORKER', 'ATTEMPT', 'SCHEDULED', 'ATTEMPTED', 'ARGS'],
      [`${ids.cancelled}`, 'cancelled', 'default', 'MyApp.Report', '0/20', '<t>', '-', '{}'],
      [`${ids.discarded}`, 'discarded', 'default', 'MyApp.Sync', '3/3', '<t>', '<t>', '{"account":9}'],
      [`${ids.completed}`, 'completed', 'mailers', 'MyApp.Mailer', '1/20', '<t>', '<t>', '{}'],
      [`${ids.retryable}`, 'retryable', 'default', 'MyApp.Sync', '2/20', '<t>', '<t>', '{"account":7}'],
      [`${ids.executing}`, 'executing', 'mailers', 'MyApp.Mailer', '1/20', '<t>', '<t>', '{"to":"b@example.com"}'],
      [`${ids.scheduled}`, 'scheduled', 'default', 'MyApp.Report', '0/20', '<t>', '-', '{}'],
      [`${ids.suspended}`, 'suspended', 'default', 'MyApp.Sync', '0/20', '<t>', '-', '{"account":1}'],
      [`${ids.available}`, 'available', 'mailers', 'MyApp.Mailer', '0/20', '<t>', '-', '{"to":"a@example.com"}'],
    ])
    expect(stdout).toMatch(new RegExp(`${ids.scheduled}  scheduled .* in (9m \\d+s|10m) `))
  })

  it('returns every field of each job with --json', async () => {
    const {stdout, result} = await list('--state', 'retryable', '--json')
    const jobs = JSON.parse(stdout) as Record<string, unknown>[]
    expect(result).toEqual(jobs)
    expect(jobs).toHaveLength(1)
    expect(Object.keys(jobs[0]!).sort()).toEqual(JOB_KEYS)
    expect(jobs[0]).toMatchObject({
      id: Number(ids.retryable),
      state: 'retryable',
      queue: 'default',
      worker: 'MyApp.Sync',
      args: {account: 7},
      meta: {source: 'api'},
      tags: [],
      attempt: 2,
      maxAttempts: 20,
      priority: 0,
      completedAt: null,
      attemptedBy: null,
    })
    expect(jobs[0]!.insertedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect((jobs[0]!.errors as unknown[]).map((e) => Object.keys(e as object).sort())).toEqual([
      ['at', 'attempt', 'error'],
      ['at', 'attempt', 'error'],
    ])
  })

  it('filters, sorts and limits', async () => {
    const ids_ = async (...argv: string[]) =>
      ((await list(...argv, '--json')).result as {id: number}[]).map((job) => String(job.id))
    expect(await ids_('--state', 'retryable,discarded', '--queue', 'default')).toEqual([ids.discarded, ids.retryable])
    expect(await ids_('--state', 'retryable', '--state', 'discarded')).toEqual([ids.discarded, ids.retryable])
    expect(await ids_('--worker', 'MyApp.Mailer', '--order', 'id', '--limit', '2')).toEqual([
      ids.available,
      ids.executing,
    ])
    expect(await ids_('--tag', 'nightly', '--order=-scheduled_at')).toEqual([ids.scheduled, ids.cancelled])
    expect(await ids_('--order', 'scheduled_at:desc', '--limit', '1')).toEqual([ids.scheduled])
    expect(await ids_('--args-contains', '{"account": 7}')).toEqual([ids.retryable])
    expect(await ids_('--meta-contains', '{"source":"api"}')).toEqual([ids.retryable])
  })

  it('says so when nothing matches', async () => {
    const {stdout, result} = await list('--worker', 'Nope', '--queue', 'a,b')
    expect(stdout).toBe('No jobs match --queue a,b --worker Nope.\n')
    expect(result).toEqual([])
    expect((await list('--worker', 'Nope', '--json')).stdout.trim()).toBe('[]')
  })

  it.each([
    [['--args-contains', '{"id":'], /^--args-contains must be a JSON object: .*, in \{"id":$/],
    [['--meta-contains', '[1]'], /^--meta-contains must be a JSON object such as '\{"id": 1\}', got \[1\]$/],
    [['--state', 'retryble'], /^unknown state "retryble" \(did you mean "retryable"\?\); the states are available, /],
    [['--limit', '0'], /^invalid --limit 0: it must be an integer from 1 to 1,000,000$/],
    [['--order', 'inserted-at'], /^invalid --order "inserted-at" \(did you mean "inserted_at"\?\): use one of id, /],
    [['--queue', ','], /^--queue needs a value, got an empty one$/],
  ])('refuses %j in one line with exit code 2', async (argv, message) => {
    const {error} = await list(...argv)
    expect(error?.message).toMatch(message)
    expect(error?.message).not.toContain('\n')
    expect(exitOf(error)).toBe(2)
  })

  it('prints a bad filter as a JSON error with --json', async () => {
    takeExitCode()
    const {stdout} = await list('--state', 'nope', '--json')
    expect(JSON.parse(stdout)).toEqual({
      error: {code: 'job_filter_invalid', message: expect.stringMatching(/^unknown state "nope"/) as string},
    })
    expect(takeExitCode()).toBe(2)
  })

  it('says clearly when the schema has no Oban tables', async () => {
    const {error} = await list('--prefix', 'elsewhere')
    expect(error?.message).toBe(
      'the Oban tables are not installed in schema "elsewhere": run `oban migrate --prefix elsewhere` (or start with --migrate)',
    )
    expect(exitOf(error)).toBe(1)
  })
})
