import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {newRequestId, replyChannel, CONTROL_CHANNEL} from '../../../src/control/protocol.js'
import {ControlServer} from '../../../src/control/server.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {IsolatedNotifier} from '../../../src/notifier/isolated-notifier.js'
import type {Payload} from '../../../src/notifier/notifier.js'
import type {PluginDirectory} from '../../../src/plugin/lookup.js'
import type {PluginHandle} from '../../../src/plugin/plugin.js'
import {waitFor} from '../../helpers/wait.js'

// The server against plugin handles of our own (no plugin host) and the in-process notifier,
// which makes the same encode/size-check/decode round trip as the wire.

const INSTANCE = 'CtlServer'
let lines: string[]
let notifier: IsolatedNotifier
let server: ControlServer | undefined
let release: (() => void) | undefined
let plugins: PluginDirectory

function handle(plugin: string, call: PluginHandle['call']): PluginHandle {
  return {
    pluginName: plugin,
    name: `${INSTANCE}.${plugin}`,
    instance: INSTANCE,
    status: 'running',
    restarts: 0,
    call,
  } as PluginHandle
}

beforeEach(async () => {
  lines = []
  const logger = createLogger({level: 'debug', write: (line) => lines.push(line)})
  notifier = new IsolatedNotifier({prefix: 'public', ident: `${INSTANCE}.n1`, logger, instance: INSTANCE})
  await notifier.start()
  const echo = handle('Echo', async (fn, args) => {
    if (fn === 'boom') throw new Error('boom from the plugin')
    if (fn === 'hang') return new Promise<void>((resolve) => (release = resolve))
    return {fn, args}
  })
  plugins = {handles: () => [echo]}
})

afterEach(async () => {
  release?.()
  await server?.stop()
  server = undefined
  await notifier.stop()
})

async function startServer(options: Partial<ConstructorParameters<typeof ControlServer>[0]> = {}) {
  const logger = createLogger({level: 'debug', write: (line) => lines.push(line)})
  server = new ControlServer({notifier, instance: INSTANCE, node: 'n1', logger, plugins, ...options})
  await server.start()
  return server
}

/**
 * Sends one request and collects its replies: until `expected` replies have come, with `ms` as
 * the ceiling (10 s by default, so a loaded machine does not make the test miss a late reply);
 * with `expected` 0, for the whole `ms` (100 by default), the window in which no reply must come.
 */
async function request(
  fields: Record<string, unknown>,
  expected = 1,
  ms = expected === 0 ? 100 : 10_000,
): Promise<Payload[]> {
  const id = typeof fields.id === 'string' ? fields.id : newRequestId()
  const replies: Payload[] = []
  const unlisten = notifier.listen(replyChannel(id), (payload) => replies.push(payload))
  await notifier.notify(CONTROL_CHANNEL, {
    v: 1,
    id,
    instance: INSTANCE,
    plugin: 'Echo',
    fn: 'echo',
    args: {},
    reply: replyChannel(id),
    ...fields,
  })
  if (expected === 0) await new Promise((resolve) => setTimeout(resolve, ms))
  else {
    await waitFor(() => replies.length >= expected, {timeoutMs: ms, intervalMs: 5}).catch(() => undefined)
    // A reply sent twice would be delivered right behind the first: one more turn lets it show.
    await new Promise((resolve) => setImmediate(resolve))
  }
  unlisten()
  return replies
}

describe('ControlServer', () => {
  it('runs a request on the plugin and replies with the result', async () => {
    await startServer()
    const replies = await request({fn: 'echo', args: {text: 'hi'}})
    expect(replies).toEqual([
      {
        v: 1,
        id: expect.any(String) as string,
        instance: INSTANCE,
        node: 'n1',
        ok: true,
        result: {fn: 'echo', args: {text: 'hi'}},
      },
    ])
    expect(lines.some((l) => /control: Echo\.echo called by request \w+: ok/.test(l))).toBe(true)
  })

  it('answers a request addressed to its node, and ignores other instances and nodes quietly', async () => {
    await startServer()
    expect(await request({node: 'n1'})).toHaveLength(1)
    expect(await request({node: 'n2'}, 0)).toEqual([])
    expect(await request({instance: 'Oban'}, 0)).toEqual([])
    expect(lines.filter((l) => l.includes('warn'))).toEqual([])
    expect(lines.filter((l) => l.includes('not this node'))).toHaveLength(2)
  })

  it('replies with the error code and message of a failing call', async () => {
    await startServer()
    expect(await request({fn: 'boom'})).toMatchObject([
      {ok: false, error: {code: 'plugin_function_failed', message: 'boom from the plugin'}},
    ])
    expect(await request({plugin: 'Nope', node: 'n1'})).toMatchObject([
      {
        ok: false,
        error: {code: 'unknown_plugin', message: 'instance "CtlServer" has no plugin "Nope"; its plugins: Echo'},
      },
    ])
  })

  it('leaves a call for the whole instance to the nodes that run the plugin: no reply', async () => {
    await startServer()
    expect(await request({plugin: 'Nope'})).toEqual([])
    expect(lines.filter((l) => l.includes('which this node does not run'))).toHaveLength(1)
  })

  it('ignores and logs malformed and hostile requests, rate-limited, and keeps serving', async () => {
    await startServer()
    const hostile: Payload[] = [
      {v: 1, junk: true},
      {v: 1, id: 'abcdefgh12', instance: INSTANCE, plugin: 'Echo', fn: 'echo', args: {}, reply: 'signal'},
      {v: 1, id: 'abcdefgh12', instance: INSTANCE, plugin: 'Echo', fn: 'echo', args: 'x', reply: 'ts_reply_abcdefgh12'},
      {
        v: 1,
        id: 'abcdefgh12',
        instance: INSTANCE,
        plugin: 'Echo',
        fn: 'echo',
        args: {big: 'y'.repeat(40_000)},
        reply: 'ts_reply_abcdefgh12',
      },
      {v: 99},
      {},
      {id: 7},
    ]
    await notifier.notify(CONTROL_CHANNEL, hostile)
    await waitFor(() => lines.filter((l) => l.includes('malformed request')).length >= 5, {
      message: 'the five warnings',
    })
    const warnings = lines.filter((l) => l.includes('malformed request'))
    expect(warnings).toHaveLength(5)
    expect(warnings[1]).toContain('bad reply channel "signal"')
    expect(warnings[3]).toContain('args too large')
    expect(await request({fn: 'echo'})).toHaveLength(1)
  })

  it('refuses calls beyond its in-flight limit with a busy reply', async () => {
    await startServer({maxInFlight: 1})
    release = undefined
    const first = request({fn: 'hang'})
    const hung = await waitFor(() => release, {message: 'the first call to run'})
    expect(await request({fn: 'echo'})).toMatchObject([{ok: false, error: {code: 'busy'}}])
    hung()
    expect(await first).toMatchObject([{ok: true}])
  })

  it('replies only after afterCall has run', async () => {
    const order: string[] = []
    await startServer({
      afterCall: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        order.push('afterCall')
      },
    })
    const id = newRequestId()
    notifier.listen(replyChannel(id), () => order.push('reply'))
    await request({id, reply: replyChannel(id)})
    expect(order).toEqual(['afterCall', 'reply'])
  })

  it('stops listening on stop, after the running calls replied', async () => {
    const s = await startServer()
    release = undefined
    const pending = request({fn: 'hang'})
    const hung = await waitFor(() => release, {message: 'the call to run'})
    const stopped = s.stop()
    hung()
    await stopped
    expect(await pending).toMatchObject([{ok: true}])
    expect(await request({fn: 'echo'}, 0)).toEqual([])
  })
})
