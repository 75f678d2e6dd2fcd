import {describe, expect, it} from 'vitest'
import {migrateUp} from '../../src/db/migrations/index.js'
import {countBreakdown, sortCounts, type BreakdownCount} from '../../plugins/breakdown/count-breakdown.js'
import {createRepo} from '../../src/plugin/repo.js'
import {migratedDatabase} from '../helpers/oban-db.js'

const {pool} = await migratedDatabase('breakdown_counts')
await migrateUp(pool, {prefix: 'private'})

/** Inserts `count` jobs of a queue in a state, in one statement. */
async function fill(queue: string, state: string, count: number, prefix = 'public'): Promise<void> {
  await pool.query(
    `INSERT INTO "${prefix}".oban_jobs (worker, queue, args, state, attempt)
     SELECT 'Test.Worker', $1, '{}', $2::"${prefix}".oban_job_state, 1 FROM generate_series(1, $3::int)`,
    [queue, state, count],
  )
}

/** The truth: a plain GROUP BY of the whole table. */
async function groupBy(prefix = 'public'): Promise<BreakdownCount[]> {
  const {rows} = await pool.query<{queue: string; state: BreakdownCount['state']; count: string}>(
    `SELECT queue, state::text AS state, count(*) AS count FROM "${prefix}".oban_jobs GROUP BY queue, state`,
  )
  return sortCounts(rows.map((row) => ({queue: row.queue, state: row.state, count: Number(row.count)})))
}

await fill('default', 'available', 3)
await fill('default', 'executing', 1)
await fill('default', 'completed', 3000)
await fill('events', 'completed', 1000)
await fill('events', 'scheduled', 2)
await fill('events', 'discarded', 7)
await fill('mailers', 'completed', 5)
await fill('mailers', 'retryable', 1)
await fill('mailers', 'cancelled', 4)
await pool.query('ANALYZE oban_jobs')

describe('countBreakdown', () => {
  it('counts exactly what a GROUP BY counts, sorted by queue then lifecycle', async () => {
    const counts = await countBreakdown(pool, 'public')
    expect(counts).toEqual(await groupBy())
    expect(counts.map((c) => `${c.queue}/${c.state}`)).toEqual([
      'default/available',
      'default/executing',
      'default/completed',
      'events/scheduled',
      'events/completed',
      'events/discarded',
      'mailers/retryable',
      'mailers/completed',
      'mailers/cancelled',
    ])
  })

  it('estimates the big cells of a big final state, marked approximate; small cells stay exact', async () => {
    // completed holds 4,005 jobs: above a limit of 500 its queues are sampled (here the whole
    // table, which is small), and the 5 of `mailers` are counted exactly.
    const counts = await countBreakdown(pool, 'public', {estimateAbove: 500})
    const approximate = counts.filter((c) => c.approximate)
    expect(approximate.map((c) => `${c.queue}/${c.state}`)).toEqual(['default/completed', 'events/completed'])
    for (const estimate of approximate) expect(estimate.count).toBeGreaterThan(0)
    // ANALYZE read every row of this small table, and the sample is every page: no error.
    expect(counts.map(({approximate: _, ...c}) => c)).toEqual(await groupBy())
  })

  it('never estimates the states that are not estimable, nor anything with an infinite limit', async () => {
    const counts = await countBreakdown(pool, 'public', {estimateAbove: 1, estimable: ['discarded']})
    expect(counts.filter((c) => c.approximate).map((c) => `${c.queue}/${c.state}`)).toEqual(['events/discarded'])
    const exact = await countBreakdown(pool, 'public', {estimateAbove: Infinity})
    expect(exact.some((c) => c.approximate)).toBe(false)
  })

  it('counts only the given queues', async () => {
    for (const estimateAbove of [Infinity, 500]) {
      const counts = await countBreakdown(pool, 'public', {queues: ['events', 'nothing'], estimateAbove})
      expect(counts.map((c) => c.queue)).toEqual(['events', 'events', 'events'])
    }
  })

  it("runs through a plugin's Repo, in the instance's prefix", async () => {
    await fill('private_queue', 'available', 2, 'private')
    const counts = await countBreakdown(createRepo(pool, 'private'), 'private')
    expect(counts).toEqual([{queue: 'private_queue', state: 'available', count: 2}])
  })

  it('returns nothing for an empty table', async () => {
    await pool.query('CREATE SCHEMA empty_one')
    await migrateUp(pool, {prefix: 'empty_one'})
    expect(await countBreakdown(pool, 'empty_one')).toEqual([])
    expect(await countBreakdown(pool, 'empty_one', {estimateAbove: 1})).toEqual([])
  })
})
