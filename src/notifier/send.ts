import type {Queryable} from '../db/pool.js'
import {NotificationTooLargeError} from '../errors.js'
import {fullChannel} from '../db/names.js'
import {span} from '../telemetry/telemetry.js'
import {encodePayload} from './codec.js'
import type {Payload} from './notifier.js'

/**
 * The largest NOTIFY payload PostgreSQL accepts, in bytes. The server refuses a payload whose
 * length is >= NOTIFY_PAYLOAD_MAX_LENGTH = BLCKSZ - NAMEDATALEN - 128 = 8192 - 64 - 128 = 8000
 * ("payload string too long"), so 7999 bytes is the most that passes; verified against the server
 * in the tests. No extra margin: a smaller limit would refuse payloads that Elixir nodes send
 * successfully. (Builds with a non-default BLCKSZ are not supported.) Payloads over the 512-byte
 * compression threshold are ASCII base64, so their byte length is the same in every server
 * encoding.
 */
export const MAX_PAYLOAD_BYTES = 7999

// Oban's statement, verbatim: one round trip for the whole batch, one NOTIFY per element.
const NOTIFY_SQL = 'SELECT pg_notify($1, payload) FROM json_array_elements_text($2::json) AS payload'

/**
 * Encodes a batch for a full channel name and checks each message against PostgreSQL's limit, so
 * that an oversized message fails the whole batch, before anything is sent, with
 * {@link NotificationTooLargeError}. Shared with the in-process notifier so both refuse the same
 * payloads.
 */
export function encodeBatch(channel: string, payloads: readonly Payload[]): string[] {
  return payloads.map((payload) => {
    const encoded = encodePayload(payload)
    const bytes = Buffer.byteLength(encoded, 'utf8')
    if (bytes > MAX_PAYLOAD_BYTES) throw new NotificationTooLargeError(channel, bytes, MAX_PAYLOAD_BYTES)
    return encoded
  })
}

/**
 * Publishes payloads on `<prefix>.oban_<channel>` in one statement, exactly as Oban does, so
 * Elixir nodes hear them. Runs on `db` (a pool, or a client inside a transaction: then delivery
 * happens at commit, and PostgreSQL folds identical messages of one transaction into one). An
 * empty batch sends nothing. Throws `InvalidChannelError`, `NotificationPayloadError` or
 * `NotificationTooLargeError` before sending; database errors propagate.
 */
export async function sendNotifications(
  db: Queryable,
  prefix: string,
  channel: string,
  payloads: Payload[],
): Promise<void> {
  const full = fullChannel(prefix, channel)
  const encoded = encodeBatch(full, payloads)
  if (encoded.length === 0) return
  await db.query(NOTIFY_SQL, [full, JSON.stringify(encoded)])
}

/**
 * A notifier's `notify` (the Postgres notifier's and the outbound-only one's): one payload or
 * several, sent together, inside the `notifier:notify` telemetry span.
 */
export function notifyInSpan(
  options: {pool: Queryable; prefix: string; instance: string},
  channel: string,
  payloads: Payload | Payload[],
): Promise<void> {
  const list = Array.isArray(payloads) ? payloads : [payloads]
  const {pool, prefix, instance} = options
  return span('notifier:notify', {channel, payload: list, instance}, async () => {
    await sendNotifications(pool, prefix, channel, list)
    return {result: undefined}
  })
}
