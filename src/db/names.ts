import {InvalidChannelError} from '../errors.js'
import {quoteIdent, validatePrefix} from './identifier.js'

/**
 * The quoted, schema-qualified name of one of Oban's tables or types. The prefix is validated on
 * every call: it is the only part of our SQL that is interpolated rather than bound.
 */
export function qualified(prefix: string, name: string): string {
  return `${quoteIdent(validatePrefix(prefix))}.${quoteIdent(name)}`
}

/** Oban's channel name for a prefix: `<prefix>.oban_<channel>` (quote it for LISTEN). */
export function channelName(prefix: string, channel: string): string {
  return `${validatePrefix(prefix)}.oban_${channel}`
}

// Oban's channels are atoms such as `insert` or `signal`; restricting ours to word characters
// keeps every full channel name a plain identifier once quoted.
const CHANNEL = /^[A-Za-z0-9_]+$/

/**
 * PostgreSQL identifiers are at most NAMEDATALEN - 1 = 63 bytes. `pg_notify` rejects a longer
 * channel ("channel name too long") while `LISTEN "..."` truncates it, so a longer name could be
 * sent to but never heard: it is refused up front.
 */
export const MAX_CHANNEL_BYTES = 63

/**
 * The full, validated channel name for a short one: `<prefix>.oban_<channel>` (e.g.
 * `private.oban_insert`). The prefix is validated by {@link channelName}; quote the result with
 * `quoteIdent` before interpolating it into LISTEN/UNLISTEN. Throws {@link InvalidChannelError}.
 */
export function fullChannel(prefix: string, channel: string): string {
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new InvalidChannelError(
      `invalid notifier channel ${JSON.stringify(channel)}: use letters, digits and underscores (e.g. "signal")`,
    )
  }
  const full = channelName(prefix, channel)
  if (Buffer.byteLength(full, 'utf8') > MAX_CHANNEL_BYTES) {
    throw new InvalidChannelError(
      `the notifier channel "${full}" is longer than PostgreSQL's ${MAX_CHANNEL_BYTES}-byte limit for channel names: use a shorter prefix or channel`,
    )
  }
  return full
}

/**
 * SQL for Oban's insert notification payload of a queue column, byte for byte as Oban (Jason)
 * encodes it: `{"queue":"default"}`. `jsonb::text` and `json_build_object` would add spaces
 * (`{"queue": "default"}`), which Oban nodes parse alike but tools that compare payloads do not.
 */
export function insertPayload(queueColumn: string): string {
  return `'{"queue":' || to_json(${queueColumn})::text || '}'`
}
