import {beforeAll, describe, expect, it} from 'vitest'
import {createFixture, createRunsTable, insertJobs, quick} from '../helpers/e2e.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('e2e_drain')
const fixture = createFixture(url)
beforeAll(() => createRunsTable(pool))

describe('two oban start processes on one queue', {timeout: 180_000}, () => {
  it('run 2,000 jobs exactly once between them, and both do work', async () => {
    const config = fixture.config({queues: {default: 10}})
    await Promise.all([fixture.start('n1', {config}), fixture.start('n2', {config})])

    const jobs = await insertJobs(
      pool,
      Array.from({length: 2000}, (_, i) => quick({i})),
    )
    expect(jobs).toHaveLength(2000)
    const completed = async () =>
      (await pool.query<{n: number}>(`SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'completed'`)).rows[0]!.n
    await eventually(async () => (await completed()) === 2000, 120_000, 'every job completed')

    const {rows} = await pool.query<{runs: number; distinct: number; attempts: number}>(
      `SELECT count(*)::int AS runs, count(DISTINCT job_id)::int AS distinct,
              (SELECT count(*)::int FROM oban_jobs WHERE attempt <> 1) AS attempts
         FROM runs`,
    )
    expect(rows[0]).toEqual({runs: 2000, distinct: 2000, attempts: 0})
    const byNode = await pool.query<{node: string; n: number}>(
      'SELECT node, count(*)::int AS n FROM runs GROUP BY node ORDER BY node',
    )
    expect(byNode.rows.map((r) => r.node)).toEqual(['n1', 'n2'])
    for (const {n} of byNode.rows) expect(n).toBeGreaterThan(0)
    // Each job was attempted by the node that recorded its run.
    const mismatched = await pool.query(
      'SELECT 1 FROM runs JOIN oban_jobs j ON j.id = runs.job_id WHERE j.attempted_by[1] <> runs.node',
    )
    expect(mismatched.rowCount).toBe(0)
  })
})
