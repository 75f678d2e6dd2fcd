import {describe, expect, it} from 'vitest'
import {listJobsPage} from '../../../src/engine/list-jobs-page.js'
import {jobsPage, stateOrder} from '../../../src/operator/jobs-page.js'
import {queueOverview} from '../../../src/operator/queue-overview.js'
import {ThroughputTracker} from '../../../src/operator/throughput.js'
import {sparkline} from '../../../src/cli/dash/sparkline.js'
import {insertRaw, migratedDatabase} from '../../helpers/oban-db.js'

const {pool} = await migratedDatabase('operator_throughput')

/** Moves jobs to a state as a node's ack would, with its timestamp. */
async function finish(ids: string[], state: 'completed' | 'discarded' | 'cancelled' | 'retryable') {
  const column = {
    completed: 'completed_at',
    discarded: 'discarded_at',
    cancelled: 'cancelled_at',
    retryable: 'attempted_at',
  }[state]
  await pool.query(
    `UPDATE oban_jobs SET state = $2::oban_job_state, attempt = 1, ${column} = timezone('UTC', now()),
       errors = CASE WHEN $2 = 'retryable' THEN ARRAY[jsonb_build_object('attempt', 1, 'at', now(), 'error', 'boom')] ELSE errors END
     WHERE id = ANY($1)`,
    [ids, state],
  )
}

describe('ThroughputTracker', () => {
  it('counts what finished between two readings, per queue and overall, from count deltas', async () => {
    const tracker = new ThroughputTracker(pool, 'public')
    const ids = await insertRaw(pool, [
      ...Array.from({length: 6}, () => ({queue: 'a'})),
      ...Array.from({length: 3}, () => ({queue: 'b'})),
    ])
    // The first reading only sets the marks.
    expect(await tracker.sample(await queueOverview(pool, 'public'))).toBeUndefined()

    await finish(ids.slice(0, 3), 'completed')
    await finish([ids[3]!], 'discarded')
    await finish([ids[4]!], 'retryable')
    await finish([ids[6]!], 'cancelled')
    // A job inserted and completed within the interval counts too.
    const [late] = await insertRaw(pool, [{queue: 'b'}])
    await finish([late!], 'completed')

    const sample = await tracker.sample(await queueOverview(pool, 'public'))
    expect(sample?.byQueue.get('a')).toEqual({completed: 3, failed: 2, cancelled: 0})
    expect(sample?.byQueue.get('b')).toEqual({completed: 1, failed: 0, cancelled: 1})
    expect(sample?.total).toEqual({completed: 4, failed: 2, cancelled: 1})
    expect(sample!.ms).toBeGreaterThanOrEqual(0)

    // Nothing happened since: zeros, and the history keeps both intervals.
    const idle = await tracker.sample(await queueOverview(pool, 'public'))
    expect(idle?.total).toEqual({completed: 0, failed: 0, cancelled: 0})
    expect(tracker.history).toHaveLength(2)
    await pool.query('DELETE FROM oban_jobs')
  })
})

describe('jobs pages', () => {
  it('sorts each state as Oban Web does and pages with a look-ahead', async () => {
    expect(stateOrder('available')).toEqual({column: 'scheduled_at', direction: 'asc'})
    expect(stateOrder('executing')).toEqual({column: 'attempted_at', direction: 'desc'})
    expect(stateOrder('completed')).toEqual({column: 'id', direction: 'desc'})
    expect(stateOrder('discarded')).toEqual({column: 'discarded_at', direction: 'desc'})
    expect(stateOrder(undefined)).toEqual({column: 'id', direction: 'desc'})
    const [soon, later, first] = await insertRaw(pool, [
      {queue: 'p', state: 'scheduled', scheduledIn: 60},
      {queue: 'p', state: 'scheduled', scheduledIn: 3600},
      {queue: 'p', state: 'scheduled', scheduledIn: 5},
    ])
    const page1 = await jobsPage(pool, 'public', {state: 'scheduled', page: 0, pageSize: 2})
    expect(page1.jobs.map((j) => j.id)).toEqual([first, soon])
    expect(page1.more).toBe(true)
    const page2 = await jobsPage(pool, 'public', {state: 'scheduled', page: 1, pageSize: 2})
    expect(page2.jobs.map((j) => j.id)).toEqual([later])
    expect(page2.more).toBe(false)
  })

  it('searches args and meta as text, with LIKE wildcards taken literally', async () => {
    const [ann, percent] = await insertRaw(pool, [
      {queue: 's', args: {email: 'Ann@example.com'}},
      {queue: 's', args: {note: '100%'}},
      {queue: 's', args: {note: '1000'}},
    ])
    const search = (text: string) =>
      listJobsPage(pool, 'public', {
        filter: {queues: ['s']},
        column: 'id',
        direction: 'asc',
        search: text,
        limit: 10,
        offset: 0,
      })
    expect((await search('ann@')).jobs.map((j) => j.id)).toEqual([ann])
    expect((await search('0%')).jobs.map((j) => j.id)).toEqual([percent])
    await expect(
      listJobsPage(pool, 'public', {filter: {}, column: 'state; DROP' as never, direction: 'asc', limit: 1, offset: 0}),
    ).rejects.toThrow(RangeError)
  })
})

describe('sparkline', () => {
  it('scales to the largest value, keeps a trickle visible and pads missing history on the left', () => {
    expect(sparkline([0, 1, 7, 14], 6)).toBe('  ▁▂▅█')
    expect(sparkline([0, 0], 2)).toBe('▁▁')
    expect(sparkline([1, 2, 3, 4, 5], 3)).toBe('▅▇█')
    expect(sparkline([5], 0)).toBe('')
  })
})
