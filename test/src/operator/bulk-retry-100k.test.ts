import {describe, expect, it} from 'vitest'
import {actOnJobs} from '../../../src/operator/act-on-jobs.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

const {pool} = await migratedDatabase('bulk_retry_100k')

// The full measurement (time, peak rss and heap, retained heap) is bench/bulk-retry.ts.
describe('a bulk retry of 100,000 jobs', {timeout: 90_000}, () => {
  it('runs in 100 transactions of 1,000 jobs, passing over other jobs, without holding memory per job', async () => {
    await pool.query(`INSERT INTO oban_jobs (worker, queue, state, attempt, max_attempts, discarded_at)
      SELECT 'W', 'q' || (i % 4), 'discarded', 3, 3, timezone('UTC', now()) FROM generate_series(1, 100000) AS i`)
    await pool.query(`INSERT INTO oban_jobs (worker, state) SELECT 'W', 'completed' FROM generate_series(1, 20000)`)
    await pool.query('ANALYZE oban_jobs')
    const started = performance.now()
    const baseline = process.memoryUsage()
    let peakHeap = baseline.heapUsed
    let peakRss = baseline.rss
    const progress: number[] = []
    const result = await actOnJobs({
      pool,
      prefix: 'public',
      action: 'retry',
      filter: {states: ['discarded']},
      onProgress: (done) => {
        progress.push(done)
        const {heapUsed, rss} = process.memoryUsage()
        peakHeap = Math.max(peakHeap, heapUsed)
        peakRss = Math.max(peakRss, rss)
      },
    })
    const seconds = (performance.now() - started) / 1000
    expect(result).toMatchObject({matched: 100_000, changed: 100_000, batches: 100, skipped: 0, changedIds: null})
    expect(progress).toHaveLength(100)
    expect(progress.at(-1)).toBe(100_000)
    const {rows} = await pool.query<{state: string; n: number}>(
      `SELECT state, count(*)::int AS n FROM oban_jobs WHERE max_attempts = 4 AND discarded_at IS NULL GROUP BY state`,
    )
    expect(rows).toEqual([{state: 'available', n: 100_000}])
    // Loose bounds that still catch a regression to one statement over every job or to memory
    // per job (100k ids and states would be tens of MB); measured: ~4 s, heap +20 MB of garbage.
    expect(peakHeap - baseline.heapUsed).toBeLessThan(96 * 1024 * 1024)
    expect(seconds).toBeLessThan(60)
    console.log(
      `bulk retry of 100k jobs: ${seconds.toFixed(1)} s, ${result.batches} batches, peak rss ${(peakRss / 2 ** 20).toFixed(0)} MB, peak heap +${((peakHeap - baseline.heapUsed) / 2 ** 20).toFixed(0)} MB`,
    )
  })
})
