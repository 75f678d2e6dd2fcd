import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import {getJob, listJobs} from '../../../src/client/read-jobs.js'
import {fetchJobs} from '../../../src/engine/fetch-jobs.js'
import {runArgv} from '../../helpers/command-examples.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

// Rows written by psql or another client with timestamps a JavaScript Date cannot hold (or that
// need more than ISO's four-digit years) must not break any listing: each is shown as stored.
const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_job_odd_times')
const stored: Record<string, string> = {}
beforeAll(async () => {
  const rows: [string, string, string][] = [
    ['inf', 'scheduled', 'infinity'],
    ['neginf', 'available', '-infinity'],
    ['far', 'scheduled', '200000-01-01 00:00:00'],
    ['beyond', 'scheduled', '294276-01-01 00:00:00'],
    ['bc', 'retryable', '0044-03-15 00:00:00 BC'],
    ['plain', 'completed', '2026-01-01 00:00:00'],
  ]
  for (const [name, state, at] of rows) {
    const {rows: inserted} = await pool.query<{id: string}>(
      `INSERT INTO oban_jobs (worker, queue, state, scheduled_at, inserted_at, attempted_at, args)
       VALUES ('Odd.Worker', 'odd', $1, $2::timestamp, $2::timestamp, $3::timestamp, $4) RETURNING id`,
      [state, at, state === 'completed' ? null : at, {name}],
    )
    stored[name] = inserted[0]!.id
  }
})

const oban = (...argv: string[]) => runArgv(root, [...argv, '--database-url', url])

describe('timestamps a Date cannot hold', () => {
  it('oban job list shows every row, plain and --json, with any filter or order', async () => {
    for (const extra of [
      [],
      ['--state', 'scheduled'],
      ['--order', 'scheduled_at'],
      ['--order=-attempted_at'],
      ['--queue', 'odd', '--wide'],
    ]) {
      const {stdout, error} = await oban('job', 'list', ...extra)
      expect(error, extra.join(' ')).toBeUndefined()
      if (extra.length === 0) {
        const line = (name: string) => stdout.split('\n').find((l) => l.trimStart().startsWith(`${stored[name]} `))
        expect(line('inf')).toContain('infinity')
        expect(line('neginf')).toContain('-infinity')
        expect(line('beyond')).toContain('294276-01-01 00:00:00')
      }
      const json = await oban('job', 'list', ...extra, '--json')
      expect(json.error).toBeUndefined()
      const jobs = JSON.parse(json.stdout) as {id: number; scheduledAt: string; insertedAt: string}[]
      expect(jobs.length).toBeGreaterThan(0)
    }
    const {stdout} = await oban('job', 'list', '--json')
    const byName = new Map(
      (JSON.parse(stdout) as {args: {name: string}; scheduledAt: string; attemptedAt: string | null}[]).map((job) => [
        job.args.name,
        job,
      ]),
    )
    expect(byName.get('inf')!.scheduledAt).toBe('infinity')
    expect(byName.get('neginf')!.scheduledAt).toBe('-infinity')
    expect(byName.get('far')!.scheduledAt).toBe('+200000-01-01T00:00:00.000Z')
    expect(byName.get('beyond')!.scheduledAt).toBe('294276-01-01 00:00:00')
    expect(byName.get('bc')!.scheduledAt).toBe('-000043-03-15T00:00:00.000Z')
    expect(byName.get('plain')!.scheduledAt).toBe('2026-01-01T00:00:00.000Z')
  })

  it('oban job show prints each as stored', async () => {
    const show = async (name: string) => {
      const result = await oban('job', 'show', stored[name]!)
      expect(result.error, name).toBeUndefined()
      return result.stdout
    }
    expect(await show('inf')).toMatch(/^scheduled at +infinity$/m)
    expect(await show('neginf')).toMatch(/^attempted at +-infinity$/m)
    expect(await show('beyond')).toMatch(/^inserted at +294276-01-01 00:00:00$/m)
    expect(await show('far')).toMatch(/^scheduled at +\+200000-01-01 00:00:00\.000 UTC \(in /m)
    const json = await oban('job', 'show', stored.inf!, '--json')
    expect(JSON.parse(json.stdout)).toMatchObject({scheduledAt: 'infinity', insertedAt: 'infinity'})
  })

  it('the library reads them: get, list page by page through them, and a fetch of a job scheduled at -infinity', async () => {
    expect((await getJob({pool}, stored.inf!))!.scheduledAt).toBe('infinity')
    const names: unknown[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof listJobs>> = await listJobs(
        {pool},
        {queues: ['odd'], order: {field: 'scheduled_at', direction: 'asc'}, limit: 2, cursor},
      )
      names.push(...page.jobs.map((job) => job.args.name))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(names).toEqual(['neginf', 'bc', 'plain', 'far', 'beyond', 'inf'])
    const fetched = await fetchJobs(pool, 'public', {queue: 'odd', demand: 5, node: 'n', producerUuid: 'u'})
    expect(fetched).toMatchObject([{id: stored.neginf, scheduledAt: '-infinity', state: 'executing'}])
    expect(fetched[0]!.attemptedAt).toBeInstanceOf(Date)
  })
})
