import {gunzipSync, gzipSync} from 'node:zlib'
import {parseJson, stringifyJson} from '../util/json.js'
import {NotificationPayloadError} from '../errors.js'
import type {Payload} from './notifier.js'

/**
 * Oban's notification encoding (`Oban.Notifier.encode/1`, `decode/1`): JSON, and when the JSON is
 * longer than {@link COMPRESS_THRESHOLD} bytes, `"Z:" + base64(gzip(json))` instead. Decoding also
 * accepts the legacy form, a bare base64 gzip string (which always starts with `H4sI`, the base64
 * of gzip's magic bytes), and plain JSON.
 */

/** Encoded JSON longer than this many bytes (UTF-8) is compressed, as Oban's `@compress_threshold`. */
export const COMPRESS_THRESHOLD = 512

const COMPRESSED_PREFIX = 'Z:'
const LEGACY_GZIP_PREFIX = 'H4sI'

// A NOTIFY payload is under 8000 bytes, and gzip cannot expand by more than ~1032:1, so anything
// legitimate inflates to a few megabytes at most; the cap stops a hostile payload from making us
// allocate more than that.
const MAX_INFLATED_BYTES = 16 * 1024 * 1024

/**
 * Encodes one payload for the wire. Throws {@link NotificationPayloadError} when the payload is
 * not a plain JSON object or cannot be serialised (a cycle). Values follow `JSON.stringify`
 * (dates become ISO strings, `undefined` keys vanish), as Elixir's JSON encoder turns structs it
 * knows into strings, except that a bigint is written as a JSON integer with its exact digits
 * (job ids: src/util/json.ts).
 */
export function encodePayload(payload: Payload): string {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new NotificationPayloadError(`a notification payload must be a JSON object, got ${describe(payload)}`)
  }
  let json: string
  try {
    json = stringifyJson(payload) ?? ''
  } catch (error) {
    throw new NotificationPayloadError(
      `a notification payload cannot be encoded as JSON: ${(error as Error).message}`,
      {cause: error},
    )
  }
  if (Buffer.byteLength(json, 'utf8') <= COMPRESS_THRESHOLD) return json
  return COMPRESSED_PREFIX + gzipSync(json).toString('base64')
}

/**
 * Decodes one payload from the wire, in any form an Oban node may send. Returns `undefined` for
 * anything malformed (bad base64, bad gzip, bad JSON) or for JSON that is not an object; never
 * throws, because a payload comes from whoever can NOTIFY on the channel. An integer that a double
 * cannot hold exactly (an Elixir node's job id above 2^53) is decoded as a bigint.
 */
export function decodePayload(text: string): Payload | undefined {
  if (typeof text !== 'string') return undefined
  try {
    let json: string
    if (text.startsWith(COMPRESSED_PREFIX)) json = inflate(text.slice(COMPRESSED_PREFIX.length))
    else if (text.startsWith(LEGACY_GZIP_PREFIX)) json = inflate(text)
    else json = text
    const value: unknown = parseJson(json)
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
    return value as Payload
  } catch {
    return undefined
  }
}

function inflate(base64: string): string {
  // Buffer's base64 decoder skips invalid characters instead of failing; whatever survives must
  // still be a valid gzip stream, which gunzip checks (header and CRC), so garbage fails there.
  return gunzipSync(Buffer.from(base64, 'base64'), {maxOutputLength: MAX_INFLATED_BYTES}).toString('utf8')
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}
