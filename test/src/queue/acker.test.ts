import {afterEach, describe, expect, it} from 'vitest'
import {fetchJobs} from '../../../src/engine/fetch-jobs.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Acker} from '../../../src/queue/acker.js'
import {attach, detach, type Metadata} from '../../../src/telemetry/telemetry.js'
import {insertRaw, migratedDatabase, readJob} from '../../helpers/oban-db.js'

const {pool} = await migratedDatabase('acker')
const uuid = '00000000-0000-4000-8000-000000000001'

afterEach(() => {
  detach('acker-test')
})

function acker(node: string) {
  const lines: string[] = []
  const logger = createLogger({level: 'warn', write: (line) => lines.push(line)})
  return {acker: new Acker({pool, prefix: 'public', instance: 'Oban', node, logger}), lines}
}

/** Jobs node-a fetched (attempt 1); then a Lifeline made them available and node-b fetched them (attempt 2). */
async function rescued(queue: string, count: number): Promise<string[]> {
  const ids = await insertRaw(
    pool,
    Array.from({length: count}, () => ({queue})),
  )
  await fetchJobs(pool, 'public', {queue, demand: count, node: 'node-a', producerUuid: uuid})
  await pool.query(`UPDATE oban_jobs SET state = 'available' WHERE id = ANY($1)`, [ids])
  await fetchJobs(pool, 'public', {queue, demand: count, node: 'node-b', producerUuid: uuid})
  return ids
}

describe('Acker', () => {
  it('leaves a job rescued from this node alone, warns naming both nodes, and reports job:stale_ack', async () => {
    const events: Metadata[] = []
    attach('acker-test', ['job:stale_ack'], (_event, _measurements, meta) => events.push(meta))
    const [completed, failed] = await rescued('stale', 2)
    const {acker: a, lines} = acker('node-a')
    // Two kinds in one batch: one transaction, both statements fenced.
    a.push({kind: 'complete', id: completed!, attempt: 1})
    a.push({kind: 'retry', id: failed!, attempt: 1, backoff: 1, error: {attempt: 1, at: 'now', error: 'late'}})
    await a.drain()

    for (const id of [completed!, failed!])
      expect(await readJob(pool, id)).toMatchObject({state: 'executing', attempt: 2, errors: []})
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(
      new RegExp(`job ${completed}: .*complete of attempt 1 .*node-a.*node node-b is running it`),
    )
    expect(lines[1]).toMatch(new RegExp(`job ${failed}: .*retry of attempt 1 .*node-a.*node node-b`))
    expect(events).toEqual([
      {
        instance: 'Oban',
        node: 'node-a',
        id: completed,
        attempt: 1,
        kind: 'complete',
        state: 'executing',
        currentAttempt: 2,
        attemptedBy: ['node-b', uuid],
      },
      expect.objectContaining({id: failed, kind: 'retry', state: 'executing', currentAttempt: 2}),
    ])

    // node-b's own acks go through, silently.
    const {acker: b, lines: bLines} = acker('node-b')
    b.push({kind: 'complete', id: completed!, attempt: 2})
    b.push({kind: 'complete', id: failed!, attempt: 2})
    await b.drain()
    expect(bLines).toEqual([])
    expect(events).toHaveLength(2)
    for (const id of [completed!, failed!]) expect((await readJob(pool, id)).state).toBe('completed')
  })
})
