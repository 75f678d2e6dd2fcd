import {ObanError, coerceError} from '../errors.js'
import {parseJson, stringifyJson} from '../util/json.js'
import {encodePayload} from '../notifier/codec.js'
import {MAX_PAYLOAD_BYTES} from '../notifier/send.js'
import {MAX_ERROR_MESSAGE_CHARS, PROTOCOL_VERSION, type ControlReply, type ReplyError} from './protocol.js'

/** Who answers: the node's identity, repeated in every reply. */
export interface Replier {
  id: string
  instance: string
  node: string
}

// A result's JSON beyond this is never sent in part: the truncation search starts here, since
// even highly compressible JSON rarely shrinks more than 30-fold into the ~6 kB a payload holds.
const MAX_TRUNCATION_SOURCE_CHARS = 256 * 1024

/**
 * A successful reply that fits in one notification (PostgreSQL refuses payloads of 8000 bytes or
 * more; the codec gzips anything over 512 bytes first). A result too large even compressed is
 * sent truncated, and says so: `result` becomes the longest prefix of its JSON text that fits,
 * and `truncated.bytes` the full JSON's size. A bigint is sent as a JSON integer with its exact
 * digits (job ids, src/util/json.ts). A result that is not JSON-serialisable (a cycle) becomes an
 * error reply.
 */
export function successReply(to: Replier, result: unknown): ControlReply {
  const base = {v: PROTOCOL_VERSION, id: to.id, instance: to.instance, node: to.node, ok: true as const}
  let json: string | undefined
  try {
    json = stringifyJson(result)
  } catch (error) {
    return errorReply(to, {
      code: 'result_not_serialisable',
      message: `the function returned a value that cannot be sent as JSON: ${coerceError(error).message}`,
    })
  }
  if (json === undefined) return base
  const whole: ControlReply = {...base, result: parseJson(json)}
  if (fits(whole)) return whole
  const bytes = Buffer.byteLength(json, 'utf8')
  const text = json.slice(0, MAX_TRUNCATION_SOURCE_CHARS)
  const partial = (chars: number): ControlReply => ({...base, result: text.slice(0, chars), truncated: {bytes}})
  // The largest prefix that fits: the encoded size grows with the prefix (give or take gzip's noise).
  let low = 0
  let high = text.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(partial(mid))) low = mid
    else high = mid - 1
  }
  return partial(low)
}

/** An error reply; the message is cut to a sane length. */
export function errorReply(to: Replier, error: ReplyError): ControlReply {
  const message =
    error.message.length > MAX_ERROR_MESSAGE_CHARS
      ? `${error.message.slice(0, MAX_ERROR_MESSAGE_CHARS)}…`
      : error.message
  return {
    v: PROTOCOL_VERSION,
    id: to.id,
    instance: to.instance,
    node: to.node,
    ok: false,
    error: {code: error.code, message},
  }
}

/**
 * What a failed call reports: the typed error's code (`unknown_plugin`, `plugin_argument_invalid`,
 * `plugin_not_running`, ...), or `plugin_function_failed` for whatever the function threw.
 */
export function replyErrorOf(error: unknown): ReplyError {
  const e = coerceError(error)
  if (e instanceof ObanError) return {code: e.code, message: e.message}
  return {code: 'plugin_function_failed', message: e.message || e.name}
}

function fits(payload: ControlReply): boolean {
  return Buffer.byteLength(encodePayload(payload), 'utf8') <= MAX_PAYLOAD_BYTES
}
