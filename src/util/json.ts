import {isInteger, isSafeNumber, parse, stringify} from 'lossless-json'

/**
 * JSON that keeps integers exact. Oban's ids are PostgreSQL bigints, written by Elixir nodes as
 * JSON integers of up to 19 digits (`{"action":"pkill","job_id":9223372036854775807}`), which
 * `JSON.parse` rounds to the nearest double above 2^53. These two functions are used wherever
 * oban-ts reads or writes JSON that may carry an id (notifications, control requests and replies,
 * `--json` output):
 *
 * - {@link parseJson} returns an integer that a double cannot hold exactly as a `bigint`, and
 *   every other number as a `number` (so ordinary payloads look exactly as `JSON.parse` makes them);
 * - {@link stringifyJson} writes a `bigint` as a JSON integer with its exact digits, and everything
 *   else as `JSON.stringify` does.
 *
 * Both are lossless-json's, which is pure JavaScript and several times slower than the native
 * parser, so `parseJson` takes the native path whenever the text has no run of 16 or more digits:
 * every integer of 15 digits or fewer is below 2^53 and parses exactly either way.
 */

const LONG_DIGITS = /\d{16}/

/** An integer a double cannot hold exactly, as a bigint; any other number as a number. */
function parseNumber(text: string): number | bigint {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number.parseFloat(text)
}

/** Parses JSON like `JSON.parse`, except that integers beyond 2^53 come back as exact `bigint`s. Throws on malformed JSON. */
export function parseJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text) as unknown
  return parse(text, null, parseNumber)
}

/**
 * `JSON.stringify`, except that a `bigint` is written as a JSON integer with its exact digits.
 * Throws as `JSON.stringify` does (a cycle: TypeError).
 */
export function stringifyJson(value: unknown, space?: number): string | undefined {
  // The native writer first: it is faster, and it names a cycle where lossless-json overflows the stack.
  try {
    return JSON.stringify(value, null, space)
  } catch (error) {
    if (!(error instanceof TypeError && /BigInt/i.test(error.message))) throw error
  }
  return stringify(value, null, space)
}
