import {afterEach, describe, expect, it} from 'vitest'
import {createConfig} from '../../../src/instance/create-config.js'
import {IsolatedNotifier} from '../../../src/notifier/isolated-notifier.js'
import {Acker, type Ack} from '../../../src/queue/acker.js'
import {JobRescued, Queues} from '../../../src/queue/queues.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {eventually, insertRaw, migratedDatabase, readJob} from '../../helpers/oban-db.js'
import {promiseExecution} from '../../helpers/promise-execution.js'

const {pool} = await migratedDatabase('abandon_lost')
const stops: (() => Promise<unknown>)[] = []

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

/**
 * Queue `queue` (limit 5) on node-a, whose jobs wait for their signal and report why it aborted.
 * Each test has a queue of its own: jobs a test leaves available must not be fetched by the next.
 */
async function start(queue: string) {
  const lines: string[] = []
  const logger = createLogger({level: 'warn', write: (line) => lines.push(line)})
  const config = createConfig({node: 'node-a', queues: {[queue]: 5}, plugins: false, shutdownGracePeriod: 100})
  const notifier = new IsolatedNotifier({prefix: 'public', ident: 'Oban.node-a', logger, instance: 'Oban'})
  await notifier.start()
  const acker = new Acker({pool, prefix: 'public', instance: 'Oban', node: 'node-a', logger})
  const reasons = new Map<string, unknown>()
  const queues = new Queues({
    config,
    pool,
    notifier,
    acker,
    logger,
    pollInterval: 50,
    execute: promiseExecution(
      (job, abort) =>
        new Promise<Ack>((resolve) =>
          abort.onAbort((reason) => {
            reasons.set(job.id, reason)
            resolve({kind: 'complete', id: job.id, attempt: job.attempt})
          }),
        ),
    ),
  })
  await queues.start()
  stops.push(
    () => notifier.stop(),
    () => acker.drain(),
    () => queues.stop(),
  )
  return {queues, reasons, lines}
}

describe('Queues.abandonLost', () => {
  it('aborts the running jobs that were rescued and run elsewhere, and writes nothing for them', async () => {
    const {queues, reasons, lines} = await start('lost')
    const [rescued, refetched, kept] = await insertRaw(pool, [{queue: 'lost'}, {queue: 'lost'}, {queue: 'lost'}])
    await eventually(() => queues.get('lost')!.check().running.length === 3, 5_000, 'three jobs running')

    // node-a's own producer must not pick the rescued one up again meanwhile (paused first: it
    // polls every 50 ms).
    queues.get('lost')!.pause()
    // While node-a "slept": a Lifeline made two of them available, and node-b fetched one again.
    await pool.query(`UPDATE oban_jobs SET state = 'available' WHERE id = ANY($1)`, [[rescued, refetched]])
    await pool.query(
      `UPDATE oban_jobs SET state = 'executing', attempt = attempt + 1, attempted_by = ARRAY['node-b', 'u']
        WHERE id = $1`,
      [refetched],
    )

    expect((await queues.abandonLost(31_000)).sort()).toEqual([rescued, refetched].sort())
    expect(reasons.get(refetched!)).toBeInstanceOf(JobRescued)
    expect((reasons.get(refetched!) as JobRescued).holder).toBe('node-b')
    expect(reasons.has(kept!)).toBe(false)
    await eventually(() => queues.get('lost')!.check().running.length === 1, 5_000, 'the two aborted')
    expect(queues.get('lost')!.check().running).toEqual([kept])
    expect(lines.join('\n')).toMatch(/node-a\) was paused for 31\.0s; 2 of its running jobs/)
    expect(lines.join('\n')).toContain(`${refetched} (attempt 2 on node-b)`)
    expect(lines.join('\n')).toContain(`${rescued} (available now)`)

    // Their outcomes were not written: the rows are as the rescue left them.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await readJob(pool, rescued!)).toMatchObject({state: 'available', attempt: 1})
    expect(await readJob(pool, refetched!)).toMatchObject({state: 'executing', attempt: 2})
    expect(lines.some((line) => line.includes('ignored the'))).toBe(false)
  })

  it('does nothing when every running job is still this node’s attempt', async () => {
    const {queues, reasons} = await start('kept')
    await insertRaw(pool, [{queue: 'kept'}])
    await eventually(() => queues.get('kept')!.check().running.length === 1, 5_000, 'one job running')
    expect(await queues.abandonLost(31_000)).toEqual([])
    expect(reasons.size).toBe(0)
  })
})
