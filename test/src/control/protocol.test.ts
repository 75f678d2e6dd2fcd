import {describe, expect, it} from 'vitest'
import {
  MAX_ARGS_BYTES,
  newRequestId,
  parseReply,
  parseRequest,
  replyChannel,
  type ControlReply,
} from '../../../src/control/protocol.js'
import {errorReply, replyErrorOf, successReply} from '../../../src/control/reply.js'
import {PluginArgumentError} from '../../../src/errors.js'
import {decodePayload, encodePayload} from '../../../src/notifier/codec.js'
import {MAX_PAYLOAD_BYTES} from '../../../src/notifier/send.js'

const id = 'abcdef0123456789abcd'
const valid = {v: 1, id, instance: 'Other', plugin: 'Breakdown', fn: 'pause', args: {}, reply: replyChannel(id)}
const refused = (payload: Record<string, unknown>) => {
  const parsed = parseRequest(payload)
  expect(parsed.ok).toBe(false)
  return parsed.ok ? '' : parsed.reason
}

describe('control requests', () => {
  it('accepts the documented shape, with or without a node', () => {
    expect(parseRequest(valid)).toEqual({ok: true, value: valid})
    const toNode = {...valid, node: 'worker-1', args: {limit: 5, queue: 'default', nested: {a: [1, 2]}}}
    expect(parseRequest(toNode)).toEqual({ok: true, value: toNode})
  })

  it('makes fresh ids that pass its own validation, and a reply channel per id', () => {
    const ids = new Set(Array.from({length: 100}, newRequestId))
    expect(ids.size).toBe(100)
    for (const fresh of ids) expect(parseRequest({...valid, id: fresh, reply: replyChannel(fresh)}).ok).toBe(true)
    expect(replyChannel(id)).toBe(`ts_reply_${id}`)
  })

  it.each([
    ['an unknown field', {...valid, extra: 1}, 'unknown field "extra"'],
    ['several unknown fields', {...valid, a: 1, b: 2}, 'unknown fields "a", "b"'],
    ['another protocol version', {...valid, v: 2}, 'unsupported protocol version 2'],
    ['no version', {...valid, v: undefined}, 'unsupported protocol version'],
    ['a numeric id', {...valid, id: 42}, 'bad id 42'],
    ['an id with odd characters', {...valid, id: '../../etc', reply: 'ts_reply_x'}, 'bad id'],
    ['an empty instance', {...valid, instance: ''}, 'bad instance ""'],
    ['an instance with spaces', {...valid, instance: 'a b'}, 'bad instance'],
    ['a huge instance', {...valid, instance: 'x'.repeat(300)}, 'bad instance'],
    ['a non-string node', {...valid, node: 7}, 'bad node 7'],
    ['a plugin name that is a path', {...valid, plugin: '../evil.js'}, 'bad plugin'],
    ['a missing fn', {...valid, fn: undefined}, 'bad fn'],
    ['a reserved-looking fn', {...valid, fn: '__proto__'}, 'bad fn'],
    ['a reply on Oban’s signal channel', {...valid, reply: 'signal'}, 'bad reply channel "signal"'],
    ['a reply channel of another id', {...valid, reply: replyChannel('ffffffffffffffffffff')}, 'bad reply channel'],
    ['args as an array', {...valid, args: [1, 2]}, 'bad args [1,2]'],
    ['args as null', {...valid, args: null}, 'bad args null'],
    ['missing args', {...valid, args: undefined}, 'bad args'],
    ['an argument named __proto__', {...valid, args: JSON.parse('{"__proto__": 1}') as unknown}, 'bad argument name'],
    ['huge args', {...valid, args: {text: 'x'.repeat(MAX_ARGS_BYTES)}}, 'args too large'],
    [
      'too many args',
      {...valid, args: Object.fromEntries(Array.from({length: 65}, (_, i) => [`a${i}`, i]))},
      'too many args',
    ],
  ])('refuses %s', (_what, payload, reason) => {
    expect(refused(payload as Record<string, unknown>)).toContain(reason)
  })

  it('keeps refusal reasons short even for huge values', () => {
    expect(refused({...valid, plugin: 'x'.repeat(10_000)}).length).toBeLessThan(120)
  })
})

describe('control replies', () => {
  const to = {id, instance: 'Other', node: 'n1'}

  it('round-trips a success, an empty success and an error through the codec', () => {
    for (const reply of [
      successReply(to, {status: 'paused'}),
      successReply(to, undefined),
      successReply(to, null),
      errorReply(to, {code: 'plugin_function_failed', message: 'boom'}),
    ]) {
      const decoded = decodePayload(encodePayload(reply))!
      expect(parseReply(decoded)).toEqual({ok: true, value: reply})
    }
    expect(successReply(to, undefined)).toEqual({v: 1, id, instance: 'Other', node: 'n1', ok: true})
  })

  it('sends a result that only fits compressed as it is', () => {
    const rows = Array.from({length: 200}, (_, i) => ({queue: 'default', state: 'available', count: i}))
    const reply = successReply(to, rows)
    expect(reply).toMatchObject({ok: true, result: rows})
    expect('truncated' in reply).toBe(false)
    expect(encodePayload(reply).startsWith('Z:')).toBe(true)
  })

  it('truncates a result too large for a notification, and says so', () => {
    const rows = Array.from({length: 5_000}, (_, i) => ({i, r: Math.random().toString(36)}))
    const json = JSON.stringify(rows)
    const reply = successReply(to, rows) as Extract<ControlReply, {ok: true}>
    expect(reply.truncated).toEqual({bytes: Buffer.byteLength(json)})
    expect(typeof reply.result).toBe('string')
    expect(json.startsWith(reply.result as string)).toBe(true)
    const bytes = Buffer.byteLength(encodePayload(reply))
    expect(bytes).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES)
    // As much as fits: close to the limit.
    expect(bytes).toBeGreaterThan(MAX_PAYLOAD_BYTES - 200)
    expect(parseReply(decodePayload(encodePayload(reply))!).ok).toBe(true)
  })

  it('turns a result that is not JSON into an error reply', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(successReply(to, cycle)).toMatchObject({ok: false, error: {code: 'result_not_serialisable'}})
  })

  it('cuts long error messages and keeps typed error codes', () => {
    const reply = errorReply(to, replyErrorOf(new Error('x'.repeat(10_000)))) as Extract<ControlReply, {ok: false}>
    expect(reply.error.code).toBe('plugin_function_failed')
    expect(reply.error.message.length).toBeLessThanOrEqual(2_001)
    expect(replyErrorOf(new PluginArgumentError('Echo', 'echo', ['text: is required']))).toEqual({
      code: 'plugin_argument_invalid',
      message: 'Echo.echo: text: is required',
    })
    expect(replyErrorOf('a string')).toEqual({code: 'plugin_function_failed', message: 'a string'})
  })

  it.each([
    ['an unknown field', {v: 1, id, instance: 'O', node: 'n', ok: true, extra: 1}],
    ['a non-boolean ok', {v: 1, id, instance: 'O', node: 'n', ok: 'yes'}],
    ['an error without a message', {v: 1, id, instance: 'O', node: 'n', ok: false, error: {code: 'x'}}],
    ['a success with an error', {v: 1, id, instance: 'O', node: 'n', ok: true, error: {code: 'x', message: 'y'}}],
    [
      'a truncated non-string result',
      {v: 1, id, instance: 'O', node: 'n', ok: true, result: [], truncated: {bytes: 1}},
    ],
    ['no node', {v: 1, id, instance: 'O', ok: true}],
  ])('refuses a reply with %s', (_what, payload) => {
    expect(parseReply(payload as Record<string, unknown>).ok).toBe(false)
  })
})
