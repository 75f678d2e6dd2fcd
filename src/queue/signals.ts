import {ObanError} from '../errors.js'
import {jobIdFromJson, jobIdToJson, type JobId} from '../job/job-id.js'
import type {Payload} from '../notifier/notifier.js'

/**
 * Oban's control signals on the `signal` channel, in its payload format (see oban-wire.md):
 * `{action, ident, queue, ...}` where `ident` is `"any"` or `"<instance>.<node>"`, and
 * `{action: "pkill", job_id}` without an ident. Elixir, Python and oban-ts nodes all obey them.
 */
export type QueueAction = 'pause' | 'resume' | 'scale' | 'start' | 'stop'

export interface QueueSignalRequest {
  queue: string
  /** Instance name (Oban's `name`), used in the ident when `node` is given. */
  instance: string
  /** Address one node only; otherwise every node of every instance on this prefix obeys. */
  node?: string
  /** Required for scale and start. */
  limit?: number
  /** For start: start the queue paused. */
  paused?: boolean
}

/** A signal argument that Oban would reject. */
export class SignalError extends ObanError {
  constructor(message: string) {
    super('signal_invalid', message, {exitCode: 2})
  }
}

/** The ident of one node of an instance, as Oban builds it: `inspect(name) <> "." <> node`. */
export function identOf(instance: string, node: string): string {
  return `${instance}.${node}`
}

/** Builds a queue signal payload, validating it as Oban's API does. */
export function queueSignal(action: QueueAction, request: QueueSignalRequest): Payload {
  const {queue, instance, node, limit, paused} = request
  if (typeof queue !== 'string' || queue.trim() === '') throw new SignalError('a queue name is required')
  if (queue === '*' && action !== 'pause' && action !== 'resume') {
    throw new SignalError(`"*" (every queue) works with pause and resume only, not ${action}`)
  }
  if (node !== undefined && (typeof node !== 'string' || !/^\S+$/.test(node)))
    throw new SignalError(`invalid node name ${JSON.stringify(node)}`)
  const ident = node === undefined ? 'any' : identOf(instance, node)
  if (action === 'scale' || action === 'start') {
    if (limit === undefined || !Number.isInteger(limit) || limit < 1) {
      throw new SignalError(`${action} needs a limit that is a positive integer, got ${JSON.stringify(limit)}`)
    }
    return action === 'start' && paused !== undefined
      ? {action, ident, limit, paused, queue}
      : {action, ident, limit, queue}
  }
  return {action, ident, queue}
}

/** Oban's `pkill` signal: whichever node runs the job aborts it and records it cancelled. */
export function pkillSignal(jobId: JobId): Payload {
  // A JSON integer with the id's exact digits, as Oban sends and expects (see src/util/json.ts).
  return {action: 'pkill', job_id: jobIdToJson(jobId)}
}

/** A received signal, checked. Anything malformed yields `undefined` (and is logged by the caller). */
export type ReceivedSignal =
  | {action: 'pause' | 'resume' | 'stop'; queue: string}
  | {action: 'scale'; queue: string; limit?: number; paused?: boolean}
  | {action: 'start'; queue: string; limit: number; paused: boolean}
  | {action: 'pkill'; jobId: JobId}

export function parseSignal(payload: Payload): ReceivedSignal | undefined {
  const {action, queue} = payload
  if (action === 'pkill') {
    // An integer beyond 2^53 arrives as a bigint (src/notifier/codec.ts decodes losslessly).
    const id = jobIdFromJson(payload.job_id)
    return id === undefined ? undefined : {action, jobId: id}
  }
  if (typeof queue !== 'string' || queue === '') return undefined
  const limit = payload.limit
  const validLimit = typeof limit === 'number' && Number.isInteger(limit) && limit > 0
  switch (action) {
    case 'pause':
    case 'resume':
    case 'stop':
      return {action, queue}
    case 'scale': {
      if (limit !== undefined && !validLimit) return undefined
      const paused = typeof payload.paused === 'boolean' ? payload.paused : undefined
      if (!validLimit && paused === undefined) return undefined
      return {action, queue, limit: validLimit ? limit : undefined, paused}
    }
    case 'start':
      return validLimit ? {action, queue, limit, paused: payload.paused === true} : undefined
    default:
      return undefined
  }
}
