import {randomBytes} from 'node:crypto'
import {gunzipSync, gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {NotificationPayloadError, NotificationTooLargeError} from '../../../src/errors.js'
import {COMPRESS_THRESHOLD, decodePayload, encodePayload} from '../../../src/notifier/codec.js'
import {encodeBatch, MAX_PAYLOAD_BYTES} from '../../../src/notifier/send.js'

describe('encodePayload / decodePayload', () => {
  it('sends small payloads as plain JSON and reads them back', () => {
    const payload = {action: 'scale', ident: 'any', limit: 7, queue: 'events'}
    const encoded = encodePayload(payload)
    expect(encoded).toBe('{"action":"scale","ident":"any","limit":7,"queue":"events"}')
    expect(decodePayload(encoded)).toEqual(payload)
  })

  it('keeps JSON of exactly 512 bytes uncompressed and compresses 513 bytes as "Z:" + base64(gzip)', () => {
    const sized = (bytes: number) => ({k: 'x'.repeat(bytes - '{"k":""}'.length)})
    expect(encodePayload(sized(COMPRESS_THRESHOLD))).toHaveLength(COMPRESS_THRESHOLD)
    const big = sized(COMPRESS_THRESHOLD + 1)
    const encoded = encodePayload(big)
    expect(encoded.startsWith('Z:')).toBe(true)
    expect(gunzipSync(Buffer.from(encoded.slice(2), 'base64')).toString()).toBe(JSON.stringify(big))
    expect(decodePayload(encoded)).toEqual(big)
  })

  it('measures the threshold in UTF-8 bytes, not characters', () => {
    // 200 three-byte characters: 200 characters of JSON content but 600 bytes.
    const payload = {text: '€'.repeat(200)}
    expect(encodePayload(payload).startsWith('Z:')).toBe(true)
    expect(decodePayload(encodePayload(payload))).toEqual(payload)
  })

  it('round-trips nested values, unicode and numbers', () => {
    const payload = {queue: 'défault', nested: {list: [1, 2.5, null, true], emoji: '🚀'}, n: -3}
    expect(decodePayload(encodePayload(payload))).toEqual(payload)
  })

  it('reads the legacy form: bare base64 gzip starting with H4sI', () => {
    const legacy = gzipSync(JSON.stringify({queue: 'alpha'})).toString('base64')
    expect(legacy.startsWith('H4sI')).toBe(true)
    expect(decodePayload(legacy)).toEqual({queue: 'alpha'})
  })

  it('reads plain JSON as an Elixir node sends it (sorted keys, no compression)', () => {
    expect(decodePayload('{"action":"pause","ident":"Oban.elixir-1","queue":"*"}')).toEqual({
      action: 'pause',
      ident: 'Oban.elixir-1',
      queue: '*',
    })
    expect(decodePayload('{"node":"elixir-1","ping":true}')).toEqual({node: 'elixir-1', ping: true})
  })

  it('returns undefined for anything malformed or not a JSON object, without throwing', () => {
    for (const text of [
      '',
      'not json',
      '{"queue":',
      '[1,2]',
      'null',
      '42',
      '"a string"',
      'Z:',
      'Z:!!!not-base64!!!',
      'Z:' + Buffer.from('not gzip at all').toString('base64'),
      'Z:' + gzipSync('not json').toString('base64'),
      'Z:' + gzipSync('[1]').toString('base64'),
      'H4sIgarbage',
      'Z:' +
        gzipSync(JSON.stringify({a: 1}))
          .toString('base64')
          .slice(0, 20),
    ]) {
      expect(decodePayload(text), text).toBeUndefined()
    }
  })

  it('carries integers beyond 2^53 exactly: an Elixir pkill of job 2^63 - 1, plain and compressed', () => {
    const text = '{"action":"pkill","job_id":9223372036854775807}'
    expect(decodePayload(text)).toEqual({action: 'pkill', job_id: 9223372036854775807n})
    expect(encodePayload({action: 'pkill', job_id: 9223372036854775807n})).toBe(text)
    const large = {job_id: 9007199254740993n, pad: 'x'.repeat(600)}
    const encoded = encodePayload(large)
    expect(encoded.startsWith('Z:')).toBe(true)
    expect(decodePayload(encoded)).toEqual(large)
    // Numbers a double holds stay numbers.
    expect(decodePayload('{"job_id":9007199254740991,"limit":10,"x":1.5}')).toEqual({
      job_id: 9007199254740991,
      limit: 10,
      x: 1.5,
    })
  })

  it('refuses payloads that are not JSON objects or cannot be serialised', () => {
    expect(() => encodePayload([] as unknown as Record<string, unknown>)).toThrow(NotificationPayloadError)
    expect(() => encodePayload(null as unknown as Record<string, unknown>)).toThrow(NotificationPayloadError)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => encodePayload(cycle)).toThrow(NotificationPayloadError)
  })
})

describe('encodeBatch', () => {
  it('refuses a payload whose encoding exceeds PostgreSQL’s 7999-byte NOTIFY limit', () => {
    // Random hex compresses to about half, so 20 000 hex characters stay far above the limit.
    const payload = {blob: randomBytes(10_000).toString('hex')}
    let error: unknown
    try {
      encodeBatch('public.oban_gossip', [{queue: 'ok'}, payload])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(NotificationTooLargeError)
    const tooLarge = error as NotificationTooLargeError
    expect(tooLarge.limit).toBe(MAX_PAYLOAD_BYTES)
    expect(tooLarge.bytes).toBeGreaterThan(MAX_PAYLOAD_BYTES)
    expect(tooLarge.channel).toBe('public.oban_gossip')
    expect(tooLarge.message).toMatch(/public\.oban_gossip.*over PostgreSQL's NOTIFY limit of 7999 bytes/)
  })

  it('accepts a large payload that compresses under the limit', () => {
    const [encoded] = encodeBatch('public.oban_gossip', [{rows: 'abc'.repeat(20_000)}])
    expect(encoded!.length).toBeLessThan(MAX_PAYLOAD_BYTES)
  })
})
