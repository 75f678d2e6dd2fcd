import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {afterAll, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {createTestDatabase} from '../../helpers/db.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const url = await createTestDatabase('cmd_job_insert')
const pool: Pool = createPool(url, {max: 2})
afterAll(() => pool.end())

const insert = (...argv: string[]) => runCommand(['job', 'insert', ...argv, '--database-url', url], {root})
const count = async () => (await pool.query<{n: number}>('SELECT count(*)::int AS n FROM oban_jobs')).rows[0]!.n
const exitOf = (error: unknown) => (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit

describe('oban job insert', () => {
  it('says clearly when the Oban tables are missing', async () => {
    const {error} = await insert('MyApp.Workers.Email')
    expect(error?.message).toBe(
      'the Oban tables are not installed in schema "public": run `oban migrate` (or start with --migrate)',
    )
    expect(exitOf(error)).toBe(1)
  })

  it('inserts an available job with defaults', async () => {
    await migrateUp(pool)
    const {stdout, error} = await insert('MyApp.Workers.Email', '--args', '{"id":1}')
    expect(error).toBeUndefined()
    const {rows} = await pool.query<{id: string}>(
      'SELECT id, state, queue, worker, args, priority, max_attempts FROM oban_jobs',
    )
    expect(rows).toEqual([
      {
        id: rows[0]!.id,
        state: 'available',
        queue: 'default',
        worker: 'MyApp.Workers.Email',
        args: {id: 1},
        priority: 0,
        max_attempts: 20,
      },
    ])
    expect(stdout).toBe(`Inserted job ${rows[0]!.id} (MyApp.Workers.Email) into queue default: available\n`)
  })

  it('runs the examples: scheduling, tags and unique with JSON output', async () => {
    const scheduled = await insert(
      'MyApp.Workers.Report',
      '--queue',
      'reports',
      '--priority',
      '3',
      '--schedule-in',
      '10m',
      '--tags',
      'nightly,PDF',
    )
    expect(scheduled.stdout).toMatch(
      /^Inserted job \d+ \(MyApp\.Workers\.Report\) into queue reports: scheduled at \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    )
    const at = new Date(/scheduled at (\S+)/.exec(scheduled.stdout)![1]!).getTime()
    expect(at - Date.now()).toBeGreaterThan(590_000)
    expect(at - Date.now()).toBeLessThanOrEqual(600_000)

    const first = await insert('MyApp.Workers.Sync', '--args', '{"account":7}', '--unique', '--json')
    const job = first.result as Record<string, unknown>
    expect(job).toMatchObject({worker: 'MyApp.Workers.Sync', args: {account: 7}, state: 'available', conflict: false})
    expect(JSON.parse(first.stdout)).toMatchObject({id: job.id, conflict: false})

    const again = await insert('MyApp.Workers.Sync', '--args', '{"account":7}', '--unique')
    expect(again.stdout).toBe(
      `Job ${String(job.id)} (MyApp.Workers.Sync) already exists in queue default: available (unique conflict, nothing inserted)\n`,
    )
  })

  it('passes meta, max attempts and tags through', async () => {
    const {result} = await insert('W', '--meta', '{"by":"cli"}', '--max-attempts', '3', '--tags', 'A,b,,a', '--json')
    expect(result).toMatchObject({meta: {by: 'cli'}, maxAttempts: 3, tags: ['a', 'b']})
  })

  it('refuses invalid input in one line with exit code 2, inserting nothing', async () => {
    const before = await count()
    const cases: [string[], string][] = [
      [['--args', '{"id":'], 'invalid job: args: must be valid JSON ('],
      [['--args', '[1,2]'], 'invalid job: args: must be a plain JSON object, got [1,2]'],
      [['--meta', 'nope'], 'invalid job: meta: must be valid JSON ('],
      [['--priority', '12'], 'invalid job: priority: must be an integer from 0 to 9, got 12'],
      [['--schedule-in', 'soon'], 'invalid job: scheduleIn: must be a number of seconds or a duration'],
      [['--max-attempts', '0'], 'invalid job: maxAttempts: must be an integer from 1 to 2147483647, got 0'],
    ]
    for (const [argv, message] of cases) {
      const {error} = await insert('MyApp.Worker', ...argv)
      expect(error?.message.startsWith(message), `${argv.join(' ')}: ${error?.message}`).toBe(true)
      expect(error?.message).not.toContain('\n')
      expect(exitOf(error)).toBe(2)
    }
    expect(await count()).toBe(before)
  })
})
