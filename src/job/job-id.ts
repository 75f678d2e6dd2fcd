import {InvalidJobIdError} from '../errors.js'

/**
 * A job's id. `oban_jobs.id` is a PostgreSQL bigint, which a JavaScript number holds exactly only
 * up to 2^53: the library carries ids as strings of their decimal digits (as node-postgres returns
 * int8), sends them to SQL as text cast to bigint (`$1::bigint`), and writes them into JSON as
 * integers with their exact digits (src/util/json.ts), as Oban's nodes and jq expect.
 */
export type JobId = string

/** What functions that take an id accept: its digits, or a number or bigint of the same value. */
export type JobIdInput = string | number | bigint

const MAX_BIGINT = 9223372036854775807n

/**
 * Checks an id given by a caller and returns it as a {@link JobId}: a positive integer no larger
 * than a PostgreSQL bigint (2^63 - 1). A number must be a safe integer: a larger one has already
 * lost its digits, so it is refused rather than rounded to some other job. Throws
 * {@link InvalidJobIdError}.
 */
export function toJobId(value: JobIdInput): JobId {
  let digits: string | undefined
  if (typeof value === 'bigint') digits = value.toString()
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new InvalidJobIdError(value, unsafeReason(value))
    digits = String(value)
  } else if (typeof value === 'string' && /^\s*\+?\d+\s*$/.test(value)) digits = value.trim().replace(/^\+/, '')
  if (digits === undefined || !/^\d+$/.test(digits)) throw new InvalidJobIdError(value)
  const big = BigInt(digits)
  if (big < 1n || big > MAX_BIGINT) throw new InvalidJobIdError(value)
  return big.toString()
}

/** Checks many ids (see {@link toJobId}); duplicates are kept in order of first appearance, once. */
export function toJobIds(values: Iterable<JobIdInput>): JobId[] {
  return [...new Set(Array.from(values, toJobId))]
}

/** Orders two ids numerically (both are canonical digits, so the longer is the larger). */
export function compareJobIds(a: JobId, b: JobId): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** An id as it goes into JSON: a number while a double holds it exactly, a bigint beyond (see src/util/json.ts). */
export function jobIdToJson(id: JobId): number | bigint {
  const n = Number(id)
  return Number.isSafeInteger(n) ? n : BigInt(id)
}

/** An id read from JSON (parsed by src/util/json.ts) or anything else, as a JobId; undefined when it is not one. */
export function jobIdFromJson(value: unknown): JobId | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return undefined
  try {
    return toJobId(value)
  } catch {
    return undefined
  }
}

function unsafeReason(value: number): string {
  return Number.isInteger(value) ? 'it is above 2^53, where a number is rounded: pass it as a string or a bigint' : ''
}
