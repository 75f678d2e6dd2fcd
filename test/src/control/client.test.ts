import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Breakdown} from '../../../plugins/breakdown/index.js'
import {callPluginFunction} from '../../../src/control/client.js'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {
  DatabaseUnreachableError,
  InstanceNotRunningError,
  PluginArgumentError,
  UnknownPluginError,
  UnknownPluginFunctionError,
} from '../../../src/errors.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Oban} from '../../../src/instance/oban.js'
import {pluginHandles} from '../../../src/plugin/lookup.js'
import type {Plugin} from '../../../src/plugin/plugin.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {Echo} from './echo-plugin.js'

// Plugin calls through the database between instances of this process: the client's requests
// and the nodes' replies make the same round trip through PostgreSQL as between processes.

const {url, pool} = await migratedDatabase('control_client')
await migrateUp(pool, {prefix: 'private'})
const location = new URL(url).host + new URL(url).pathname
const instances: Oban[] = []

async function start(name: string, node: string, plugins: unknown[], extra: Record<string, unknown> = {}) {
  const oban = new Oban(
    {databaseUrl: url, name, node, queues: false, plugins: plugins as Plugin[], ...extra},
    createLogger({level: 'silent'}),
  )
  instances.push(oban)
  await oban.start()
}

beforeAll(async () => {
  await start('Other', 'c1', [[Breakdown, {interval: '1s'}], Echo])
  await start('Oban', 'o1', [[Breakdown, {interval: '1s'}]])
  await start('Iso', 'i1', [Echo], {notifier: 'isolated'})
  await start('Priv', 'p1', [Echo], {prefix: 'private'})
})
afterAll(() => Promise.all(instances.map((o) => o.stop())))

const status = (instance: string) => pluginHandles(instance).find((h) => h.pluginName === 'Breakdown')?.status

describe('callPluginFunction', () => {
  it("reaches only the addressed instance's nodes and returns each node's result", async () => {
    const result = await callPluginFunction(url, {instance: 'Other', plugin: 'Breakdown', fn: 'pause'})
    expect(result).toMatchObject({
      instance: 'Other',
      plugin: 'Breakdown',
      fn: 'pause',
      args: {},
      ok: true,
      database: location,
      nodes: [{instance: 'Other', node: 'c1', status: 'ok', result: {status: 'paused'}, expected: true}],
    })
    expect(status('Other')).toBe('paused')
    expect(status('Oban')).toBe('running')
    // The presence row was rewritten before the reply.
    const {rows} = await pool.query<{status: string}>(
      "SELECT p->>'status' AS status FROM oban_ts_nodes, jsonb_array_elements(plugins) p WHERE instance = 'Other' AND p->>'name' = 'Breakdown'",
    )
    expect(rows).toEqual([{status: 'paused'}])
    await callPluginFunction(url, {instance: 'Other', plugin: 'Breakdown', fn: 'resume'})
    expect(status('Other')).toBe('running')
  })

  it('returns as soon as every node answered', async () => {
    const started = Date.now()
    const result = await callPluginFunction(url, {instance: 'Oban', plugin: 'Breakdown', fn: 'last', timeoutMs: 10_000})
    expect(result.ok).toBe(true)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('passes arguments by name, or as text parsed by their declared types', async () => {
    const named = await callPluginFunction(url, {
      instance: 'Other',
      plugin: 'Echo',
      fn: 'echo',
      args: {text: 'hi', times: 2},
    })
    expect(named.nodes[0]).toMatchObject({status: 'ok', result: {text: 'hihi'}})
    const positional = await callPluginFunction(url, {
      instance: 'Other',
      plugin: 'Echo',
      fn: 'echo',
      argv: ['ho', '3', '10ms'],
    })
    expect(positional.args).toEqual({text: 'ho', times: 3, delay: 10})
    expect(positional.nodes[0]).toMatchObject({
      status: 'ok',
      result: {text: 'hohoho', args: {text: 'ho', times: 3, delay: 10}},
    })
  })

  it('refuses unknown plugins, functions and bad arguments before sending, with suggestions', async () => {
    const call = (options: Partial<Parameters<typeof callPluginFunction>[1]>) =>
      callPluginFunction(url, {instance: 'Other', plugin: 'Echo', fn: 'echo', ...options})
    await expect(call({plugin: 'Breakdwn', fn: 'pause'})).rejects.toThrow(
      new UnknownPluginError('Breakdwn', {instance: 'Other', known: ['Breakdown', 'Echo']}),
    )
    await expect(call({plugin: 'Breakdown', fn: 'paus'})).rejects.toThrow(UnknownPluginFunctionError)
    await expect(call({plugin: 'Breakdown', fn: 'paus'})).rejects.toThrow('(did you mean "pause"?)')
    await expect(call({argv: []})).rejects.toThrow('Echo.echo: text: is required (What to say)')
    await expect(call({argv: ['a', 'b', 'c', 'd']})).rejects.toThrow(
      'Echo.echo: takes at most 3 arguments (text, times, delay), got 4: "a" "b" "c" "d"',
    )
    await expect(call({argv: ['a', '1.5']})).rejects.toThrow(PluginArgumentError)
    await expect(call({argv: ['a', '1', 'soon']})).rejects.toThrow(/delay: expected a duration/)
    await expect(call({args: {text: 'a', tims: 2}})).rejects.toThrow('unknown argument "tims" (did you mean "times"?)')
    await expect(call({args: {text: 'x'.repeat(40_000)}})).rejects.toThrow(/more than the 32768 a node accepts/)
    await expect(call({args: {text: 'a'}, argv: ['a']})).rejects.toThrow(/not both/)
  })

  it('names an instance or node that is not running against the database', async () => {
    await expect(callPluginFunction(url, {instance: 'Othr', plugin: 'Breakdown', fn: 'pause'})).rejects.toThrow(
      new InstanceNotRunningError(
        'Othr',
        `no node of instance Othr is running against ${location} (did you mean "Other"?); running instances: Iso, Oban, Other`,
      ),
    )
    await expect(
      callPluginFunction(url, {instance: 'Other', node: 'c2', plugin: 'Breakdown', fn: 'pause'}),
    ).rejects.toThrow(`no node c2 of instance Other is running against ${location} (did you mean "c1"?); its nodes: c1`)
    await expect(
      callPluginFunction(url, {prefix: 'private', instance: 'Other', plugin: 'Echo', fn: 'boom'}),
    ).rejects.toThrow(
      `no node of instance Other is running against ${location} (schema private); running instances: Priv`,
    )
  })

  it('reports what a throwing function threw, per node', async () => {
    const result = await callPluginFunction(url, {instance: 'Other', plugin: 'Echo', fn: 'boom'})
    expect(result.ok).toBe(false)
    expect(result.nodes).toEqual([
      {
        instance: 'Other',
        node: 'c1',
        status: 'error',
        error: {code: 'plugin_function_failed', message: 'boom from the plugin'},
        ms: expect.any(Number) as number,
        expected: true,
      },
    ])
  })

  it('reports the nodes that did not answer in time', async () => {
    // A node that died without removing its row is still expected until the row expires.
    await pool.query(
      `INSERT INTO oban_ts_nodes (instance, node, pid, hostname, started_at, seen_at, expires_at, plugins)
       SELECT instance, 'ghost', 1, hostname, started_at, seen_at, expires_at, plugins FROM oban_ts_nodes WHERE instance = 'Other'`,
    )
    try {
      const started = Date.now()
      const result = await callPluginFunction(url, {
        instance: 'Other',
        plugin: 'Echo',
        fn: 'echo',
        args: {text: 'a'},
        timeoutMs: 300,
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(290)
      expect(result.ok).toBe(false)
      expect(result.nodes.map((n) => [n.node, n.status])).toEqual([
        ['c1', 'ok'],
        ['ghost', 'no_reply'],
      ])
      const slow = await callPluginFunction(url, {
        instance: 'Other',
        plugin: 'Echo',
        fn: 'echo',
        argv: ['a', '1', '1s'],
        node: 'c1',
        timeoutMs: 100,
      })
      expect(slow.nodes).toEqual([{instance: 'Other', node: 'c1', status: 'no_reply', expected: true}])
    } finally {
      await pool.query("DELETE FROM oban_ts_nodes WHERE node = 'ghost'")
    }
  })

  it('does not wait for nodes that cannot hear other processes', async () => {
    const result = await callPluginFunction(url, {instance: 'Iso', plugin: 'Echo', fn: 'boom', timeoutMs: 10_000})
    expect(result.nodes).toEqual([{instance: 'Iso', node: 'i1', status: 'unreachable', expected: true}])
    expect(result.elapsedMs).toBeLessThan(1_000)
  })

  it('calls nodes on another schema through that schema’s channel', async () => {
    const result = await callPluginFunction(url, {
      prefix: 'private',
      instance: 'Priv',
      plugin: 'Echo',
      fn: 'echo',
      args: {text: 'p'},
    })
    expect(result).toMatchObject({
      ok: true,
      database: `${location} (schema private)`,
      nodes: [{node: 'p1', status: 'ok'}],
    })
  })

  it('receives a result too large for one notification truncated, and says so', async () => {
    const result = await callPluginFunction(url, {instance: 'Other', plugin: 'Echo', fn: 'big', args: {size: 20_000}})
    const [node] = result.nodes
    expect(node).toMatchObject({status: 'ok', truncated: {bytes: expect.any(Number) as number}})
    expect(node!.truncated!.bytes).toBeGreaterThan(400_000)
    expect(typeof node!.result).toBe('string')
    expect((node!.result as string).startsWith('[{"i":0,')).toBe(true)
  })

  it('fails clearly when the database cannot be reached', async () => {
    await expect(
      callPluginFunction('postgres://postgres@127.0.0.1:1/nowhere', {plugin: 'Breakdown', fn: 'pause'}),
    ).rejects.toThrow(
      new DatabaseUnreachableError(
        'cannot connect to 127.0.0.1:1/nowhere: connection refused (is the server running and listening there?)',
      ),
    )
    await expect(callPluginFunction(url, {plugin: 'Breakdown', fn: 'pause', timeoutMs: 0})).rejects.toThrow(RangeError)
  })
})
