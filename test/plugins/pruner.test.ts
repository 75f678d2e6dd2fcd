import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError} from '../../src/errors.js'
import {validatePluginOptions} from '../../src/plugin/options.js'
import {attach, detach} from '../../src/telemetry/telemetry.js'
import {Pruner, PrunerService, type PrunerOptions} from '../../plugins/index.js'
import {insertJobRows, type JobRowSpec} from '../helpers/job-rows.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'
import {testClock, testPluginContext} from '../helpers/plugin-context.js'

const {pool} = await migratedDatabase('plugin_pruner')
const HOUR = 3600
const services: PrunerService[] = []

beforeEach(() => pool.query('TRUNCATE oban_jobs'))
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()))
})

function pruner(options: Record<string, unknown> = {}, setup: {leader?: boolean; clock?: () => Date} = {}) {
  const test = testPluginContext(pool, {leader: setup.leader})
  const parsed = validatePluginOptions(Pruner, options, 'test') as PrunerOptions
  const service = new PrunerService(test.context, parsed, {now: setup.clock})
  services.push(service)
  return {service, ...test}
}

async function remaining(): Promise<string[]> {
  const {rows} = await pool.query<{worker: string}>('SELECT worker FROM oban_jobs ORDER BY worker')
  return rows.map((row) => row.worker)
}

/** A finished job named for what it is; times in seconds from the database's now. */
const job = (worker: string, spec: JobRowSpec): JobRowSpec => ({worker, scheduledIn: -5 * HOUR, ...spec})

describe('Pruner', () => {
  it("ages each state by Oban's column: completed by scheduled_at, cancelled and discarded by their own time", async () => {
    await insertJobRows(pool, [
      job('completed-old', {state: 'completed', scheduledIn: -2 * HOUR, completedIn: -60}),
      job('completed-recent', {state: 'completed', scheduledIn: -30 * 60, completedIn: -10 * 60}),
      job('cancelled-old', {state: 'cancelled', cancelledIn: -2 * HOUR}),
      job('cancelled-recent', {state: 'cancelled', cancelledIn: -30 * 60}),
      job('discarded-old', {state: 'discarded', discardedIn: -2 * HOUR, attempt: 20}),
      job('discarded-recent', {state: 'discarded', discardedIn: -30 * 60, attempt: 20}),
      job('available', {state: 'available'}),
      job('executing', {state: 'executing', attemptedIn: -5 * HOUR, attempt: 1}),
      job('retryable', {state: 'retryable', attempt: 1}),
      job('scheduled', {state: 'scheduled', scheduledIn: HOUR}),
    ])
    const clock = testClock(new Date())
    const {service} = pruner({maxAge: '1h'}, {clock: clock.now})
    expect(await service.prune()).toEqual({leader: true, pruned: 3, completed: 1, cancelled: 1, discarded: 1})
    expect(await remaining()).toEqual([
      'available',
      'cancelled-recent',
      'completed-recent',
      'discarded-recent',
      'executing',
      'retryable',
      'scheduled',
    ])
    // An hour later (no sleeping: the clock moves), the recent ones are old too.
    clock.advance(60 * 60_000)
    expect(await service.prune()).toEqual({leader: true, pruned: 3, completed: 1, cancelled: 1, discarded: 1})
    expect(await remaining()).toEqual(['available', 'executing', 'retryable', 'scheduled'])
  })

  it('deletes at most limit jobs per run, until none is left', async () => {
    await insertJobRows(
      pool,
      Array.from({length: 25}, (_, i) =>
        job(`old-${i}`, i % 2 === 0 ? {state: 'completed'} : {state: 'discarded', discardedIn: -2 * HOUR}),
      ),
    )
    const {service} = pruner({maxAge: '1h', limit: 10})
    const counts = []
    for (let run = 0; run < 4; run++) counts.push(((await service.prune()) as {pruned: number}).pruned)
    expect(counts).toEqual([10, 10, 5, 0])
    expect(await remaining()).toEqual([])
  })

  it('keeps a state longer with maxAgeByState', async () => {
    await insertJobRows(pool, [
      job('completed', {state: 'completed', scheduledIn: -2 * HOUR}),
      job('discarded', {state: 'discarded', discardedIn: -2 * HOUR}),
    ])
    const clock = testClock(new Date())
    const {service} = pruner({maxAge: '1h', maxAgeByState: {discarded: '1d'}}, {clock: clock.now})
    expect(await service.prune()).toMatchObject({pruned: 1, completed: 1, discarded: 0})
    clock.advance(24 * 60 * 60_000)
    expect(await service.prune()).toMatchObject({pruned: 1, completed: 0, discarded: 1})
  })

  it("measures against the database's clock without an injected one", async () => {
    await insertJobRows(pool, [
      job('old', {state: 'completed', scheduledIn: -120}),
      job('new', {state: 'completed', scheduledIn: -10}),
    ])
    const {service} = pruner({maxAge: '60s'})
    expect(await service.prune()).toMatchObject({pruned: 1})
    expect(await remaining()).toEqual(['new'])
  })

  it('prunes on schedule on the leader, with telemetry carrying prunedCount and prunedJobs', async () => {
    const [id] = await insertJobRows(pool, [job('old', {state: 'completed', queue: 'mailers'})])
    const stops: Record<string, unknown>[] = []
    attach('pruner-test', ['plugin:stop'], (_event, _m, meta) => {
      if (meta.plugin === 'Pruner') stops.push(meta)
    })
    try {
      const {service} = pruner({interval: '100ms', maxAge: '1h'})
      service.start()
      await eventually(() => stops.length >= 2, 5000, 'two runs')
      expect(stops[0]).toEqual({
        instance: 'Oban',
        plugin: 'Pruner',
        leader: true,
        prunedCount: 1,
        prunedJobs: [{id, queue: 'mailers', state: 'completed'}],
      })
      expect(stops[1]).toMatchObject({prunedCount: 0, prunedJobs: []})
    } finally {
      detach('pruner-test')
    }
  })

  it('stays idle on a follower: scheduled runs query nothing, prune() answers that the leader acts', async () => {
    await insertJobRows(pool, [job('old', {state: 'completed'})])
    const stops: Record<string, unknown>[] = []
    attach('pruner-follower', ['plugin:stop'], (_event, _m, meta) => {
      if (meta.plugin === 'Pruner') stops.push(meta)
    })
    try {
      const {service, setLeader} = pruner({interval: '100ms', maxAge: '1h'}, {leader: false})
      service.start()
      await eventually(() => stops.length >= 2, 5000, 'two follower runs')
      expect(stops[0]).toMatchObject({leader: false, prunedCount: 0})
      expect(await remaining()).toEqual(['old'])
      expect(await service.prune()).toEqual({
        leader: false,
        skipped: 'test-node does not lead Oban; the leader acts (pass force to act on this node)',
      })
      expect(await service.prune({force: true})).toMatchObject({leader: false, pruned: 1})
      // Once it leads, its scheduled runs prune.
      await insertJobRows(pool, [job('old-2', {state: 'cancelled', cancelledIn: -2 * HOUR})])
      setLeader(true)
      await eventually(async () => (await remaining()).length === 0, 5000, 'pruned as leader')
    } finally {
      detach('pruner-follower')
    }
  })

  it('pauses and resumes scheduled runs; prune() works while paused', async () => {
    const {service} = pruner({interval: '100ms', maxAge: '1h'})
    service.start()
    service.pause()
    expect(service.status()).toBe('paused')
    await insertJobRows(pool, [job('old', {state: 'completed'})])
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await remaining()).toEqual(['old'])
    expect(await service.prune()).toMatchObject({pruned: 1})
    await insertJobRows(pool, [job('old-2', {state: 'completed'})])
    service.resume()
    expect(service.status()).toBe('running')
    await eventually(async () => (await remaining()).length === 0, 5000, 'pruned after resume')
  })

  it("validates its options with Oban's defaults", () => {
    expect(validatePluginOptions(Pruner, undefined, 'plugins[0] (Pruner)')).toEqual({
      interval: 30_000,
      limit: 10_000,
      maxAge: 60_000,
    })
    expect(
      validatePluginOptions(Pruner, {maxAge: '7d', interval: 5000, maxAgeByState: {discarded: '30d'}}, 'p'),
    ).toEqual({
      interval: 5000,
      limit: 10_000,
      maxAge: 7 * 24 * 3600_000,
      maxAgeByState: {discarded: 30 * 24 * 3600_000},
    })
    const fail = (options: unknown) => () => validatePluginOptions(Pruner, options, 'plugins[0] (Pruner)')
    expect(fail({maxAge: 'a week'})).toThrow(
      new ConfigError(
        'plugins[0] (Pruner): maxAge: expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "a week"',
      ),
    )
    expect(fail({limit: 0})).toThrow(
      new ConfigError('plugins[0] (Pruner): limit: expected an integer from 1 to 1,000,000, got 0'),
    )
    expect(fail({limit: 2.5})).toThrow(/limit: expected an integer from 1 to 1,000,000, got 2.5/)
    expect(fail({maxage: '1d'})).toThrow(/unknown option "maxage" \(did you mean "maxAge"\?\)/)
    expect(fail({maxAgeByState: {available: '1d'}})).toThrow(/maxAgeByState: unknown option "available"/)
    expect(fail({maxAge: 10})).toThrow(/maxAge: expected a duration of at least 1s, got 10/)
  })
})
