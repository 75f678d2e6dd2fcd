import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {migrateUp} from '../../src/db/migrations/index.js'
import {createPresenceTable} from '../../src/engine/presence-table.js'
import {upsertPresence} from '../../src/engine/presence-upsert.js'
import {validatePluginOptions} from '../../src/plugin/options.js'
import {attach, detach} from '../../src/telemetry/telemetry.js'
import {Lifeline, LifelineService, type LifelineOptions} from '../../plugins/index.js'
import {insertJobRows, type JobRowSpec} from '../helpers/job-rows.js'
import {eventually, migratedDatabase, readJob} from '../helpers/oban-db.js'
import {testClock, testPluginContext} from '../helpers/plugin-context.js'

const {pool} = await migratedDatabase('plugin_lifeline')
await migrateUp(pool, {prefix: 'lonely'})
await createPresenceTable(pool, 'public')
const HOUR = 3600
const services: LifelineService[] = []

beforeEach(() => pool.query('TRUNCATE oban_jobs, oban_ts_nodes'))
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()))
})

function lifeline(
  options: Record<string, unknown> = {},
  setup: {leader?: boolean; clock?: () => Date; prefix?: string} = {},
) {
  const test = testPluginContext(pool, {leader: setup.leader, prefix: setup.prefix})
  const parsed = validatePluginOptions(Lifeline, options, 'test') as LifelineOptions
  const service = new LifelineService(test.context, parsed, {now: setup.clock})
  services.push(service)
  return {service, ...test}
}

const executing = (worker: string, spec: JobRowSpec = {}): JobRowSpec => ({
  worker,
  state: 'executing',
  attempt: 1,
  attemptedIn: -2 * HOUR,
  attemptedBy: ['gone-node', 'a0e0b2a4-0000-4000-8000-000000000000'],
  ...spec,
})

/** A presence row of a node, as a running oban-ts node writes it. */
async function presence(node: string, options: {startedAgo: number; expiresIn: number}) {
  await upsertPresence(pool, 'public', {
    instance: 'Oban',
    node,
    pid: 4242,
    hostname: 'test-host',
    startedAt: new Date(Date.now() - options.startedAgo * 1000),
    ttlMs: options.expiresIn * 1000,
    plugins: [],
    queues: [],
    meta: {},
  })
}

async function states(ids: string[], prefix = 'public') {
  return Promise.all(ids.map(async (id) => (await readJob(pool, id, prefix)).state))
}

describe('Lifeline', () => {
  it('rescues jobs executing past rescueAfter: available with attempts left, discarded without', async () => {
    const [stuck, exhausted, recent, other] = await insertJobRows(pool, [
      executing('stuck', {attempt: 1, maxAttempts: 20}),
      executing('exhausted', {attempt: 3, maxAttempts: 3}),
      executing('recent', {attemptedIn: -10 * 60}),
      {worker: 'available', state: 'available'},
    ])
    const clock = testClock(new Date())
    const {service} = lifeline({rescueAfter: '1h'}, {clock: clock.now})
    expect(await service.rescue()).toEqual({leader: true, rescued: [stuck], discarded: [exhausted]})
    expect(await states([stuck!, exhausted!, recent!, other!])).toEqual([
      'available',
      'discarded',
      'executing',
      'available',
    ])
    const discarded = await readJob(pool, exhausted!)
    expect(Math.abs((discarded.discarded_at as Date).getTime() - clock.now().getTime())).toBeLessThan(1000)
    // No error is recorded, as in Oban; the attempt stays.
    expect(discarded).toMatchObject({errors: [], attempt: 3})
    // An hour later by the clock, the recent one is stuck too.
    clock.advance(60 * 60_000)
    expect(await service.rescue()).toEqual({leader: true, rescued: [recent], discarded: []})
  })

  it('spares a job whose node is alive in the presence table, and only that one', async () => {
    await presence('alive', {startedAgo: 3 * HOUR, expiresIn: 30})
    await presence('restarted', {startedAgo: 60, expiresIn: 30})
    await presence('expired', {startedAgo: 3 * HOUR, expiresIn: -5})
    const [onAlive, onRestarted, onExpired, onElixir, noNode] = await insertJobRows(pool, [
      executing('on-alive', {attemptedBy: ['alive', 'p1']}),
      // The same node name, but its process started after the job was fetched: an orphan.
      executing('on-restarted', {attemptedBy: ['restarted', 'p2']}),
      executing('on-expired', {attemptedBy: ['expired', 'p3']}),
      // Elixir nodes never write presence rows: Oban's time rule applies.
      executing('on-elixir', {attemptedBy: ['worker@elixir-host', 'p4']}),
      executing('no-node', {attemptedBy: null}),
    ])
    const {service} = lifeline({rescueAfter: '1h'})
    const result = (await service.rescue()) as {rescued: string[]}
    expect([...result.rescued].sort((a, b) => Number(a) - Number(b))).toEqual([
      onRestarted,
      onExpired,
      onElixir,
      noNode,
    ])
    expect(await states([onAlive!])).toEqual(['executing'])
    // With presence: false, the time rule alone applies, as in Oban.
    const oban = lifeline({rescueAfter: '1h', presence: false})
    expect(await oban.service.rescue()).toEqual({leader: true, rescued: [onAlive], discarded: []})
  })

  it('rescues an executing job without attempted_at once its node is gone (Oban never does)', async () => {
    await presence('alive', {startedAgo: 60, expiresIn: 30})
    await presence('expired', {startedAgo: 3 * HOUR, expiresIn: -5})
    const [onAlive, onExpired, onElixir, noNode, spent] = await insertJobRows(pool, [
      executing('on-alive', {attemptedIn: null, attemptedBy: ['alive', 'p1']}),
      executing('on-expired', {attemptedIn: null, attemptedBy: ['expired', 'p2']}),
      executing('on-elixir', {attemptedIn: null, attemptedBy: ['worker@elixir-host', 'p3']}),
      executing('no-node', {attemptedIn: null, attemptedBy: null}),
      executing('spent', {attemptedIn: null, attemptedBy: null, attempt: 3, maxAttempts: 3}),
    ])
    const {service} = lifeline({rescueAfter: '1h'})
    const result = (await service.rescue()) as {rescued: string[]; discarded: string[]}
    expect([...result.rescued].sort((a, b) => Number(a) - Number(b))).toEqual([onExpired, onElixir, noNode])
    expect(result.discarded).toEqual([spent])
    expect(await states([onAlive!])).toEqual(['executing'])
    // Once its node's row lapses, that one too.
    await pool.query(`UPDATE oban_ts_nodes SET expires_at = timezone('UTC', now()) WHERE node = 'alive'`)
    expect(await service.rescue()).toEqual({leader: true, rescued: [onAlive], discarded: []})
  })

  it('rescues an executing job without attempted_at at once where it cannot see presence', async () => {
    const [id] = await insertJobRows(pool, [executing('stuck', {attemptedIn: null})], 'lonely')
    const {service} = lifeline({rescueAfter: '1h'}, {prefix: 'lonely'})
    expect(await service.rescue()).toEqual({leader: true, rescued: [id], discarded: []})
  })

  it('rescues on time alone where no oban-ts node ever wrote presence (no presence table)', async () => {
    const [id] = await insertJobRows(pool, [executing('stuck')], 'lonely')
    const {service} = lifeline({rescueAfter: '1h'}, {prefix: 'lonely'})
    expect(await service.rescue()).toEqual({leader: true, rescued: [id], discarded: []})
    expect(await states([id!], 'lonely')).toEqual(['available'])
  })

  it("rescues on schedule on the leader only, with Oban's rescuedJobs and discardedJobs", async () => {
    const [stuck, exhausted] = await insertJobRows(pool, [
      executing('stuck', {queue: 'mailers'}),
      executing('exhausted', {attempt: 20, maxAttempts: 20}),
    ])
    const stops: Record<string, unknown>[] = []
    attach('lifeline-test', ['plugin:stop'], (_event, _m, meta) => {
      if (meta.plugin === 'Lifeline') stops.push(meta)
    })
    try {
      const {service, setLeader, logs} = lifeline({interval: '100ms', rescueAfter: '1h'}, {leader: false})
      service.start()
      await eventually(() => stops.length >= 2, 5000, 'follower runs')
      expect(stops[0]).toEqual({
        instance: 'Oban',
        plugin: 'Lifeline',
        leader: false,
        rescuedJobs: [],
        discardedJobs: [],
      })
      expect(await states([stuck!, exhausted!])).toEqual(['executing', 'executing'])
      expect(await service.rescue()).toMatchObject({
        leader: false,
        skipped: expect.stringContaining('does not lead') as string,
      })
      setLeader(true)
      await eventually(() => stops.some((meta) => meta.leader === true), 5000, 'a leader run')
      expect(stops.find((meta) => meta.leader === true)).toEqual({
        instance: 'Oban',
        plugin: 'Lifeline',
        leader: true,
        rescuedJobs: [{id: stuck, queue: 'mailers', state: 'available'}],
        discardedJobs: [{id: exhausted, queue: 'default', state: 'discarded'}],
      })
      expect(logs).toContain(`info: rescued 1 stuck job(s) [${stuck}], discarded 1 [${exhausted}]`)
    } finally {
      detach('lifeline-test')
    }
  })

  it("validates its options with Oban's defaults", () => {
    expect(validatePluginOptions(Lifeline, {}, 'p')).toEqual({interval: 60_000, rescueAfter: 3_600_000, presence: true})
    expect(() => validatePluginOptions(Lifeline, {rescueAfter: 'soon'}, 'plugins[1] (Lifeline)')).toThrow(
      /plugins\[1\] \(Lifeline\): rescueAfter: expected a duration such as 500ms/,
    )
    expect(() => validatePluginOptions(Lifeline, {presence: 'yes'}, 'p')).toThrow(/presence: expected true or false/)
    expect(() => validatePluginOptions(Lifeline, {rescue_after: '1h'}, 'p')).toThrow(/unknown option "rescue_after"/)
  })
})
