import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {exitOf, plainCells, runArgv} from '../../helpers/command-examples.js'
import {insertEveryState, insertJobRows} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_queue_list')
beforeAll(async () => {
  await insertEveryState(pool)
  await insertJobRows(pool, [
    {queue: 'mailers', state: 'available', scheduledIn: -125},
    {queue: 'mailers', state: 'retryable', scheduledIn: 60},
  ])
  await migrateUp(pool, {prefix: 'empty'})
})

const list = (...argv: string[]) => runArgv(root, ['queue', 'list', ...argv, '--database-url', url])

describe('oban queue list', () => {
  it('prints counts per queue, the latency and the nodes as plain columns off a terminal', async () => {
    const {stdout, error} = await list()
    expect(error).toBeUndefined()
    expect(plainCells(stdout)).toEqual([
      ['QUEUE', 'AVAILABLE', 'SCHEDULED', 'EXECUTING', 'RETRYABLE', 'LATENCY', 'NODES'],
      ['default', '0', '1', '0', '1', '-', '-'],
      ['mailers', '2', '0', '1', '1', '<t>', '-'],
    ])
    expect(stdout).toMatch(/mailers .* 2m \d+s {2}-\n$/)
  })

  it('returns one object per queue with --json', async () => {
    const {stdout, result} = await list('--json')
    expect(JSON.parse(stdout)).toEqual(result)
    const [, mailers] = result as Record<string, unknown>[]
    expect(result).toEqual([
      {
        queue: 'default',
        available: 0,
        scheduled: 1,
        executing: 0,
        retryable: 1,
        oldestAvailableAt: null,
        latencyMs: null,
        nodes: [],
        unrunnable: [],
      },
      {
        queue: 'mailers',
        available: 2,
        scheduled: 0,
        executing: 1,
        retryable: 1,
        oldestAvailableAt: expect.stringMatching(/Z$/) as string,
        latencyMs: expect.any(Number) as number,
        nodes: [],
        unrunnable: [],
      },
    ])
    expect(mailers!.latencyMs).toBeGreaterThanOrEqual(125_000)
    expect(Date.now() - Date.parse(mailers!.oldestAvailableAt as string)).toBeGreaterThanOrEqual(124_000)
  })

  it('says so when no queue has unfinished jobs', async () => {
    const {stdout, result} = await list('--prefix', 'empty')
    expect(stdout).toBe(
      'No queue has available, scheduled, executing or retryable jobs in schema empty, and no node is known to run one.\n',
    )
    expect(result).toEqual([])
  })

  it('says clearly when the schema has no Oban tables', async () => {
    const {error} = await list('--prefix', 'nowhere')
    expect(error?.message).toMatch(/^the Oban tables are not installed in schema "nowhere"/)
    expect(exitOf(error)).toBe(1)
  })
})
