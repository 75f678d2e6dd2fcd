import pg from 'pg'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {migrateUp} from '../../src/db/migrations/index.js'
import {ConfigError} from '../../src/errors.js'
import {createLogger} from '../../src/telemetry/logger.js'
import {Oban} from '../../src/instance/oban.js'
import type {PluginHandle} from '../../src/plugin/plugin.js'
import {whereis} from '../../src/plugin/registry.js'
import {pluginBreakdownSource, type BreakdownSource} from '../../src/cli/breakdown/source.js'
import {attach, detach} from '../../src/telemetry/telemetry.js'
import {Breakdown, builtinPlugins, type BreakdownRow} from '../../plugins/index.js'
import {eventually, insertRaw, migratedDatabase} from '../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('plugin_breakdown')
await migrateUp(pool, {prefix: 'private'})

const instances: Oban[] = []
afterEach(async () => {
  await Promise.all(instances.splice(0).map((o) => o.stop()))
})

async function start(options: Record<string, unknown>): Promise<Oban> {
  // No queues and no stager: the jobs stay in the states they were inserted in.
  const oban = new Oban({databaseUrl: url, queues: false, stager: false, ...options}, createLogger({level: 'silent'}))
  instances.push(oban)
  await oban.start({builtinPlugins})
  return oban
}

/** Records `breakdown:update` events of one instance. */
function updates(instance: string) {
  const id = `breakdown-${instance}-${Math.random()}`
  const events: {count: number; rows: BreakdownRow[]; time: Date; plugin: unknown}[] = []
  attach(id, ['breakdown:update'], (_event, measurements, metadata) => {
    if (metadata.instance === instance)
      events.push({
        count: measurements.count!,
        rows: metadata.rows as BreakdownRow[],
        time: metadata.time as Date,
        plugin: metadata.plugin,
      })
  })
  return {events, detach: () => detach(id)}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('Breakdown', () => {
  it('counts jobs by queue and state, publishes each count and returns rows on refresh', async () => {
    await insertRaw(pool, [
      {queue: 'default'},
      {queue: 'default'},
      {queue: 'default', state: 'completed'},
      {queue: 'events', state: 'scheduled', scheduledIn: 3600},
      {queue: 'events', state: 'retryable', attempt: 1},
      {queue: 'events', state: 'discarded', attempt: 20},
      {queue: 'mailers', state: 'cancelled'},
      {queue: 'mailers', state: 'executing', attempt: 1},
    ])
    const {events, detach} = updates('Counting')
    try {
      await start({name: 'Counting', plugins: [['Breakdown', {interval: '100ms'}]]})
      const {rows: expected} = await pool.query<BreakdownRow>(
        // Enum order is Oban's lifecycle order, the order the breakdown sorts states in.
        'SELECT j.queue, j.state::text AS state, count(*)::int AS count FROM public.oban_jobs j GROUP BY j.queue, j.state ORDER BY j.queue, j.state',
      )
      expect(expected).toHaveLength(7)
      expect(await Breakdown.refresh('Counting')).toEqual(expected)
      expect(expected).toContainEqual({queue: 'default', state: 'available', count: 2})
      await eventually(() => events.length >= 2, 5000, 'two updates')
      expect(events[0]).toMatchObject({count: 7, rows: expected, plugin: 'Breakdown'})
      expect(events[0]!.time).toBeInstanceOf(Date)
      const last = (await Breakdown.last('Counting')) as {time: string; rows: BreakdownRow[]}
      expect(last.rows).toEqual(expected)
      expect(Date.parse(last.time)).toBeGreaterThan(Date.now() - 5000)
    } finally {
      detach()
    }
  })

  it('counts in the instance prefix', async () => {
    await insertRaw(pool, [{queue: 'private-q', state: 'completed'}], 'private')
    await start({name: 'Prefixed', prefix: 'private', plugins: [Breakdown]})
    expect(await Breakdown.refresh('Prefixed')).toEqual([{queue: 'private-q', state: 'completed', count: 1}])
  })

  it('runs no query while paused, and counts again once resumed', async () => {
    const {events, detach} = updates('Pausing')
    try {
      await start({name: 'Pausing', plugins: [[Breakdown, {interval: 100}]]})
      await eventually(() => events.length >= 1, 5000, 'first update')
      expect(await Breakdown.pause('Pausing')).toEqual({status: 'paused'})
      const handle = whereis<PluginHandle>('Pausing', {plugin: Breakdown})!
      expect(handle.status).toBe('paused')
      const {time} = (await Breakdown.last('Pausing')) as {time: string}
      const seen = events.length
      // Every query of the instance's pool goes through Pool.prototype.query: count the counts.
      const query = vi.spyOn(pg.Pool.prototype, 'query')
      const counts = () =>
        query.mock.calls.filter(([text]) => /oban_jobs[\s\S]*GROUP BY state, queue/.test(String(text))).length
      try {
        await sleep(400)
        expect(counts()).toBe(0)
        expect(events.length).toBe(seen)
        expect(((await Breakdown.last('Pausing')) as {time: string}).time).toBe(time)
        expect(await Breakdown.resume('Pausing')).toEqual({status: 'running'})
        expect(handle.status).toBe('running')
        await eventually(() => events.length >= seen + 2, 5000, 'updates after resume')
        expect(counts()).toBeGreaterThanOrEqual(2)
      } finally {
        query.mockRestore()
      }
    } finally {
      detach()
    }
  })

  it('refuses an interval that is not a duration of at least 100ms', async () => {
    expect(() => new Oban({plugins: [[Breakdown, {interval: 0}]]})).toThrow(
      new ConfigError('config: plugins[0] (Breakdown): interval: expected a duration of at least 100ms, got 0'),
    )
    const oban = new Oban({databaseUrl: url, name: 'BadInterval', plugins: [['Breakdown', {interval: 'abc'}]]})
    instances.push(oban)
    await expect(oban.start({builtinPlugins})).rejects.toThrow(
      'plugins[0] (Breakdown): interval: expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "abc"',
    )
  })
})

describe('Breakdown when counting fails', () => {
  it('keeps running and the last breakdown, reports the error, and counts again once the table is back', async () => {
    await migrateUp(pool, {prefix: 'outage'})
    await insertRaw(pool, [{queue: 'kept', state: 'completed'}], 'outage')
    const {events, detach: detachUpdates} = updates('Outage')
    const errors: string[] = []
    const lifecycle: string[] = []
    const id = `breakdown-outage-${Math.random()}`
    let source: BreakdownSource | undefined
    attach(id, ['breakdown:error', 'plugin:exception', 'plugin:start'], (event, _m, metadata) => {
      if (metadata.instance !== 'Outage') return
      if (event === 'breakdown:error') errors.push(String(metadata.error))
      else lifecycle.push(event)
    })
    try {
      await start({name: 'Outage', prefix: 'outage', plugins: [[Breakdown, {interval: 100}]]})
      await eventually(() => events.length >= 1, 5000, 'first update')
      source = pluginBreakdownSource('Outage')
      await pool.query('ALTER TABLE outage.oban_jobs RENAME TO oban_jobs_away')
      await eventually(() => errors.length >= 2, 5000, 'two breakdown:error events')
      expect(errors[0]).toMatch(/oban_jobs/)
      await expect(Breakdown.refresh('Outage')).rejects.toThrow(/oban_jobs/)
      const handle = whereis<PluginHandle>('Outage', {plugin: Breakdown})!
      expect(handle.status).toBe('running')
      expect(lifecycle).toEqual(['plugin:start'])
      expect(((await Breakdown.last('Outage')) as {rows: BreakdownRow[]}).rows).toEqual([
        {queue: 'kept', state: 'completed', count: 1},
      ])
      // The live view keeps the last table and says why it is not updated.
      expect(source.getSnapshot().error).toMatch(/^counting failed \(retrying every interval\): .*oban_jobs/)
      expect(source.getSnapshot().rows).toEqual([{queue: 'kept', state: 'completed', count: 1}])
      await pool.query('ALTER TABLE outage.oban_jobs_away RENAME TO oban_jobs')
      await insertRaw(pool, [{queue: 'kept', state: 'completed'}], 'outage')
      await eventually(
        () => events.at(-1)?.rows.some((row) => row.queue === 'kept' && row.count === 2) ?? false,
        5000,
        'an update after the table is back',
      )
      expect(await Breakdown.refresh('Outage')).toEqual([{queue: 'kept', state: 'completed', count: 2}])
      await eventually(() => source?.getSnapshot().error === undefined, 5000, 'the view error cleared')
    } finally {
      source?.close()
      detachUpdates()
      detach(id)
      await pool.query('ALTER TABLE IF EXISTS outage.oban_jobs_away RENAME TO oban_jobs')
    }
  })
})
