import {afterEach, describe, expect, it} from 'vitest'
import {z} from 'zod'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {definePlugin} from '../../../src/plugin/define.js'
import {
  InstanceNotRunningError,
  PluginArgumentError,
  PluginFailedError,
  PluginNotRunningError,
  UnknownPluginError,
  UnknownPluginFunctionError,
} from '../../../src/errors.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Oban} from '../../../src/instance/oban.js'
import type {PluginContext, PluginHandle} from '../../../src/plugin/plugin.js'
import {PluginBase} from '../../../src/plugin/base.js'
import {pluginHandles} from '../../../src/plugin/lookup.js'
import {whereis} from '../../../src/plugin/registry.js'
import {attach, detach} from '../../../src/telemetry/telemetry.js'
import {defineWorker} from '../../../src/job/worker.js'
import {eventually, insertRaw, migratedDatabase, readJob} from '../../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('plugin_host')
await migrateUp(pool, {prefix: 'private'})

const instances: Oban[] = []
const lines: string[] = []
afterEach(async () => {
  await Promise.all(instances.splice(0).map((o) => o.stop()))
  lines.length = 0
})

async function start(options: ConstructorParameters<typeof Oban>[0] & object): Promise<Oban> {
  const oban = new Oban(
    {databaseUrl: url, node: `node-${instances.length}`, queues: false, stager: {interval: 100}, ...options},
    createLogger({level: 'debug', scope: options.name ?? 'Oban', write: (line) => lines.push(line)}),
  )
  instances.push(oban)
  await oban.start({pollInterval: 100})
  return oban
}

/** Collects the telemetry events of one instance while `fn` runs. */
async function recording<T>(instance: string, fn: (events: [string, Record<string, unknown>][]) => Promise<T>) {
  const id = `plugin-host-${instance}-${Math.random()}`
  const events: [string, Record<string, unknown>][] = []
  attach(id, '*', (event, measurements, metadata) => {
    if (metadata.instance === instance && event.startsWith('plugin:') && metadata.plugin !== 'Stager')
      events.push([event, {...measurements, ...metadata}])
  })
  try {
    return await fn(events)
  } finally {
    detach(id)
  }
}

let lastContext: PluginContext | undefined

class ProbeService extends PluginBase<{label: string}> {
  override start(): void {
    lastContext = this.context
  }

  label(): string {
    return this.options.label
  }

  async count(): Promise<number> {
    const rows = await this.repo.query<{count: number}>(
      'SELECT count(*)::int AS count FROM oban_jobs WHERE queue = $1',
      ['probe'],
    )
    return rows[0]!.count
  }
}

const Probe = definePlugin({
  name: 'Probe',
  options: z.strictObject({label: z.string().default('none')}),
  create: (context, options) => new ProbeService(context, options),
  functions: (fn) => ({
    label: fn({description: 'Its label option', run: (service) => service.label()}),
    count: fn({description: 'Jobs of queue probe, through the repo', run: (service) => service.count()}),
    echo: fn({
      description: 'Returns its arguments',
      args: [
        {name: 'text', description: 'Any text', type: 'string', required: true},
        {name: 'times', description: 'A count', type: 'integer'},
        {name: 'after', description: 'A duration', type: 'duration'},
      ],
      run: (_service, args) => args,
    }),
    fail: fn({
      description: 'Throws',
      run: () => {
        throw new Error('function failed')
      },
    }),
  }),
})

/** Crashes on its first `crashes` incarnations: `mode` says how. */
function crasher(name: string, mode: 'every' | 'start' | 'run', crashes = Infinity) {
  let incarnations = 0
  return definePlugin({
    name,
    create: (context) =>
      new (class extends PluginBase {
        override start(): void {
          incarnations++
          if (incarnations > crashes) return
          if (mode === 'start') throw new Error(`${name} cannot start`)
          if (mode === 'every')
            this.every(5, () => {
              throw new Error(`${name} tick failed`)
            })
          else
            void this.run(async () => {
              await this.sleep(5)
              throw new Error(`${name} task failed`)
            })
        }
      })(context, undefined),
  })
}

describe('plugins in an instance', () => {
  it('get conf and name, and query through the repo in the instance prefix', async () => {
    await insertRaw(pool, [{queue: 'probe'}, {queue: 'probe'}, {queue: 'probe'}], 'private')
    await insertRaw(pool, [{queue: 'probe'}], 'public')
    await start({name: 'Private', prefix: 'private', plugins: [[Probe, {label: 'mine'}]]})
    expect(lastContext?.conf.prefix).toBe('private')
    expect(lastContext?.conf.name).toBe('Private')
    expect(lastContext?.name).toBe('Private.Probe')
    expect(lastContext?.repo.prefix).toBe('private')
    expect(await Probe.count('Private')).toBe(3)
    expect(await Probe.label('Private')).toBe('mine')
    const handle = whereis<PluginHandle>('Private', {plugin: Probe})
    expect(handle).toMatchObject({pluginName: 'Probe', name: 'Private.Probe', status: 'running', restarts: 0})
    expect(whereis('Private', {plugin: 'Probe'})).toBe(handle)
    expect(pluginHandles('Private')).toEqual([handle])
    expect(JSON.parse(JSON.stringify(handle))).toEqual({
      plugin: 'Probe',
      name: 'Private.Probe',
      instance: 'Private',
      status: 'running',
      restarts: 0,
      functions: ['label', 'count', 'echo', 'fail'],
    })
    lastContext?.logger.info('hello')
    expect(lines).toContain('[Private] Probe: hello')
    // A transaction rolls back when its function throws, and runs in the prefix too.
    const repo = lastContext!.repo
    await expect(
      repo.transaction(async (tx) => {
        await tx.query("INSERT INTO oban_jobs (worker, queue, args) VALUES ('X', 'probe', '{}')")
        expect(await tx.query('SELECT 1 FROM oban_jobs WHERE queue = $1', ['probe'])).toHaveLength(4)
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await Probe.count('Private')).toBe(3)
  })

  it('two instances in one process each find their own plugin', async () => {
    await start({name: 'Alpha', plugins: [[Probe, {label: 'a'}]]})
    await start({name: 'Beta', plugins: [[Probe, {label: 'b'}]]})
    await start({name: 'Gamma', plugins: [crasher('Quiet', 'run', 0)]})
    expect(await Probe.label('Alpha')).toBe('a')
    expect(await Probe.label('Beta')).toBe('b')
    expect(whereis<PluginHandle>('Beta', {plugin: Probe})?.name).toBe('Beta.Probe')
    await expect(Probe.label()).rejects.toThrow(InstanceNotRunningError)
    await expect(Probe.label('Gamma')).rejects.toThrow(
      new UnknownPluginError('Probe', {instance: 'Gamma', known: ['Quiet']}),
    )
    await expect(Probe.label('Gamma')).rejects.toThrow('instance "Gamma" has no plugin "Probe"; its plugins: Quiet')
  })

  it('check interface calls: unknown function with a suggestion, arguments, errors of the function', async () => {
    await start({plugins: [Probe]})
    const handle = whereis<PluginHandle>('Oban', {plugin: Probe})!
    await expect(handle.call('cont')).rejects.toThrow(
      new UnknownPluginFunctionError('Probe', 'cont', ['label', 'count', 'echo', 'fail']),
    )
    await expect(handle.call('cont')).rejects.toThrow(
      'plugin Probe has no function "cont" (did you mean "count"?); its functions: count, echo, fail, label',
    )
    expect(await Probe.echo({text: 'hi', times: 2, after: '2s'})).toEqual({
      text: 'hi',
      times: 2,
      after: 2000,
    })
    // @ts-expect-error a misspelt argument is a type error too; at run time it is a PluginArgumentError
    await expect(Probe.echo('Oban', {times: 1.5, txt: 'x', after: 'soon'})).rejects.toThrow(PluginArgumentError)
    // @ts-expect-error as above
    await expect(Probe.echo('Oban', {times: 1.5, txt: 'x', after: 'soon'})).rejects.toThrow(
      'Probe.echo: unknown argument "txt" (did you mean "text"?); text: is required (Any text); times: expected an integer, got 1.5; after: expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "soon"',
    )
    await expect(Probe.fail()).rejects.toThrow('function failed')
    expect(handle.status).toBe('running')
  })

  it('restart a crashing plugin with backoff, then isolate it past the limit while jobs keep running', async () => {
    let performed = 0
    const Job = defineWorker({
      name: 'Test.PluginHostJob',
      perform: () => {
        performed++
      },
    })
    const Crashy = crasher('Crashy', 'every')
    await recording('Isolating', async (events) => {
      const oban = await start({
        name: 'Isolating',
        queues: {default: 5},
        workers: [Job],
        plugins: [Crashy, [Probe, {label: 'neighbour'}]],
        pluginSupervision: {maxRestarts: 3, period: '1m', backoff: '5ms'},
      })
      const handle = whereis<PluginHandle>('Isolating', {plugin: Crashy})!
      await eventually(() => handle.status === 'failed', 5000, 'Crashy failed')
      expect(handle.restarts).toBe(3)
      expect(handle.lastError?.message).toBe('Crashy tick failed')
      expect(oban.running).toBe(true)
      expect(await Probe.label('Isolating')).toBe('neighbour')
      await expect(handle.call('anything')).rejects.toThrow(UnknownPluginFunctionError)
      const exceptions = events.filter(([event, meta]) => event === 'plugin:exception' && meta.plugin === 'Crashy')
      expect(exceptions.map(([, meta]) => [meta.action, meta.phase, meta.delay])).toEqual([
        ['restart', 'run', 5],
        ['restart', 'run', 10],
        ['restart', 'run', 20],
        ['isolate', 'run', undefined],
      ])
      expect(
        exceptions.every(([, meta]) => typeof meta.duration === 'number' && meta.name === 'Isolating.Crashy'),
      ).toBe(true)
      const crashyEvents = events.filter(([, meta]) => meta.plugin === 'Crashy').map(([event]) => event)
      expect(crashyEvents.slice(0, 3)).toEqual(['plugin:init', 'plugin:start', 'plugin:exception'])
      expect(lines.filter((line) => line.includes('restarting in'))).toHaveLength(3)
      expect(lines.find((line) => line.includes('PLUGIN FAILED'))).toMatch(
        /^\[Isolating\] error: PLUGIN FAILED: Crashy crashed 4 times within 1m \(at most 3 restarts allowed\); it stays stopped \(status failed\) while the instance and its queues keep running\. Last error: Error: Crashy tick failed/,
      )
      // The queues keep working.
      const inserted = await oban.insertAll([Job.new({}), Job.new({}), Job.new({})])
      await eventually(
        async () => (await Promise.all(inserted.map((j) => readJob(pool, j.id)))).every((r) => r.state === 'completed'),
        10_000,
        'jobs completed',
      )
      expect(performed).toBe(3)
      await oban.stop()
      expect(handle.status).toBe('failed')
      expect(events.filter(([event, meta]) => event === 'plugin:stop' && meta.plugin === 'Probe')).toHaveLength(1)
    })
  })

  it('handle a plugin whose start throws the same way, then one that recovers', async () => {
    const Broken = crasher('Broken', 'start')
    const Recovers = crasher('Recovers', 'start', 2)
    await recording('Starting', async (events) => {
      await start({
        name: 'Starting',
        plugins: [Broken, Recovers],
        pluginSupervision: {maxRestarts: 2, backoff: 1},
      })
      const broken = whereis<PluginHandle>('Starting', {plugin: Broken})!
      const recovers = whereis<PluginHandle>('Starting', {plugin: Recovers})!
      await eventually(() => broken.status === 'failed' && recovers.status === 'running', 5000, 'settled')
      expect(broken.lastError?.message).toBe('Broken cannot start')
      expect(recovers.restarts).toBe(2)
      expect(
        events
          .filter(([event, meta]) => event === 'plugin:exception' && meta.plugin === 'Broken')
          .map(([, m]) => m.phase),
      ).toEqual(['start', 'start', 'start'])
      await expect(broken.call('x')).rejects.toThrow(UnknownPluginFunctionError)
    })
  })

  it('refuse calls to a failed plugin', async () => {
    const Dead = definePlugin({
      name: 'Dead',
      create: () => ({
        start() {
          throw new Error('no way')
        },
        stop() {},
      }),
      functions: (fn) => ({ping: fn({description: 'Pong', run: () => 'pong'})}),
    })
    await start({plugins: [Dead], pluginSupervision: {maxRestarts: 0}})
    await expect(Dead.ping()).rejects.toThrow(PluginNotRunningError)
    await expect(Dead.ping()).rejects.toThrow(
      'plugin Dead of instance "Oban" is not running (failed; last error: no way)',
    )
  })

  it('escalate: the instance stops itself with the plugin error', async () => {
    const Fatal = crasher('Fatal', 'run')
    const oban = await start({
      name: 'Escalating',
      queues: {default: 1},
      plugins: [Fatal],
      pluginSupervision: {maxRestarts: 1, backoff: 1, onExhausted: 'escalate'},
    })
    const failed = new Promise<Error>((resolve) => oban.once('failed', resolve))
    await expect(oban.untilStopped()).rejects.toThrow(PluginFailedError)
    expect((await failed).message).toBe(
      'plugin Fatal crashed 2 times within 1m (at most 1 restarts allowed); stopping instance "Escalating" (pluginSupervision.onExhausted is "escalate"). Last error: Fatal task failed',
    )
    expect(oban.running).toBe(false)
    expect(whereis('Escalating', {plugin: Fatal})).toBeUndefined()
    expect(lines).toContain('[Escalating] error: instance "Escalating" is stopping itself (plugin_failed)')
    await expect(oban.untilStopped()).rejects.toThrow(PluginFailedError)
  })

  it('escalate while starting: start() rejects and nothing is left running', async () => {
    const oban = new Oban(
      {
        databaseUrl: url,
        name: 'EarlyEscalation',
        queues: {default: 1},
        plugins: [crasher('NeverStarts', 'start')],
        pluginSupervision: {maxRestarts: 0, onExhausted: 'escalate'},
      },
      createLogger({level: 'silent'}),
    )
    instances.push(oban)
    await expect(oban.start()).rejects.toThrow(PluginFailedError)
    expect(oban.running).toBe(false)
    expect(whereis('EarlyEscalation', {plugin: 'NeverStarts'})).toBeUndefined()
  })
})
