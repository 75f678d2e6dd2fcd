import {afterAll} from 'vitest'
import {Breakdown} from '../../plugins/breakdown/index.js'
import {listNodes} from '../../src/control/nodes.js'
import {migrateUp} from '../../src/db/migrations/index.js'
import {definePlugin} from '../../src/plugin/define.js'
import {upsertPresence} from '../../src/engine/presence-upsert.js'
import {createLogger} from '../../src/telemetry/logger.js'
import {Oban} from '../../src/instance/oban.js'
import {PluginBase} from '../../src/plugin/base.js'
import {pluginHandles} from '../../src/plugin/lookup.js'
import {defineWorker} from '../../src/job/worker.js'
import {insertJobRows} from './job-rows.js'
import {eventually, migratedDatabase} from './oban-db.js'

// Crashes shortly after each start: with maxRestarts 1 the second crash leaves it failed.
const Crashy = definePlugin({
  name: 'Crashy',
  create: (context) =>
    new (class extends PluginBase {
      override start(): void {
        void this.run(async () => {
          await this.sleep(5)
          throw new Error('Crashy lost its connection')
        })
      }
    })(context, undefined),
})

/**
 * A fresh database with nodes running against it, for the commands that report on nodes (`oban
 * status`, `oban queue list`), which reach them through the database only:
 *  - Oban.o1 (leader), in this process: queues default:3 and mailers:2, mailers paused while one
 *    job runs on it, and a plugin that crashes past the restart limit (failed, 1 restart);
 *  - Oban.o2: a node of the same instance in another process, as its presence row (a process
 *    runs one node per instance name), with an isolated notifier and 4 jobs running in default;
 *  - Other.w1, in this process: queues default:1 and events:2, its Breakdown paused, led by an
 *    Elixir node (an oban_peers row without a presence row);
 *  - MyApp.Oban: only an oban_peers row (an Elixir-only instance);
 *  - one available job in queue legacy, which no node runs; schema `jobs` migrated and empty.
 * Resolves once the presence rows show all of it; the instances stop after the calling file.
 * `location` is the database as the commands print it.
 */
export async function startNodeFixture(hint: string): Promise<{url: string; location: string}> {
  const {url, pool} = await migratedDatabase(hint)
  const instances: Oban[] = []
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => (release = resolve))
  afterAll(async () => {
    release()
    await Promise.all(instances.map((o) => o.stop()))
  })
  const Gated = defineWorker({name: 'Test.Gated', perform: () => gate})

  const start = async (name: string, node: string, options: Record<string, unknown>) => {
    const oban = new Oban(
      {databaseUrl: url, name, node, stager: {interval: 100}, ...options},
      createLogger({level: 'silent'}),
    )
    instances.push(oban)
    await oban.start({pollInterval: 50})
    return oban
  }
  const lease = (name: string, node: string) =>
    pool.query(
      `INSERT INTO oban_peers (name, node, started_at, expires_at)
       VALUES ($1, $2, timezone('UTC', now()), timezone('UTC', now()) + interval '1 hour')`,
      [name, node],
    )

  await migrateUp(pool, {prefix: 'jobs'})
  await lease('MyApp.Oban', 'myapp@web-1')
  // Before Other starts, so that its node stays a follower.
  await lease('Other', 'elixir@web-1')
  const oban = await start('Oban', 'o1', {
    queues: {default: 3, mailers: 2},
    workers: [Gated],
    plugins: [Crashy],
    pluginSupervision: {maxRestarts: 1, backoff: 1},
  })
  await start('Other', 'w1', {queues: {default: 1, events: 2}, plugins: [[Breakdown, {interval: '1s'}]]})
  await pluginHandles('Other')
    .find((h) => h.pluginName === 'Breakdown')!
    .call('pause')
  await upsertPresence(pool, 'public', {
    instance: 'Oban',
    node: 'o2',
    pid: 999_999,
    hostname: 'host-b',
    startedAt: new Date(Date.now() - 3_600_000),
    ttlMs: 3_600_000,
    plugins: [],
    queues: [{queue: 'default', limit: 10, paused: false, running: 4}],
    meta: {leader: false, notifier: 'isolated'},
  })
  await insertJobRows(pool, [{queue: 'legacy', state: 'available', worker: 'MyApp.Legacy', scheduledIn: -30}])
  await oban.insert({worker: 'Test.Gated', queue: 'mailers'})
  await eventually(() => oban.checkQueue('mailers')?.running.length === 1, 10_000, 'the gated job to run')
  await oban.pauseQueue({queue: 'mailers', localOnly: true})
  // Presence rewrites a node's row within a second of a change (pause, plugin failure).
  await eventually(
    async () => {
      const [o1] = await listNodes(pool, {instance: 'Oban'})
      const [w1] = await listNodes(pool, {instance: 'Other'})
      const mailers = o1?.queues.find((q) => q.queue === 'mailers')
      return (
        mailers?.paused === true &&
        mailers.running === 1 &&
        o1?.plugins.find((p) => p.name === 'Crashy')?.status === 'failed' &&
        w1?.plugins.find((p) => p.name === 'Breakdown')?.status === 'paused'
      )
    },
    15_000,
    'the presence rows to show the paused queue and the failed plugin',
  )
  return {url, location: `${new URL(url).host}${new URL(url).pathname}`}
}
