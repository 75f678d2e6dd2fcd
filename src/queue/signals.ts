import {ObanError} from '../errors.js'
import {jobIdFromJson, jobIdToJson, type JobId} from '../job/job-id.js'
import type {Payload} from '../notifier/notifier.js'
import {formatCount} from '../util/format-count.js'
import {MAX_QUEUE_LIMIT, queueLimitProblem} from '../util/limits.js'
import {QUEUE_NAME_RULE, isQueueName} from '../util/queue-name.js'

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
  if (queue !== '*' && !isQueueName(queue))
    throw new SignalError(`invalid queue name ${JSON.stringify(queue)}: use ${QUEUE_NAME_RULE}`)
  if (node !== undefined && (typeof node !== 'string' || !/^\S+$/.test(node)))
    throw new SignalError(`invalid node name ${JSON.stringify(node)}`)
  const ident = node === undefined ? 'any' : identOf(instance, node)
  if (action === 'scale' || action === 'start') {
    if (limit === undefined || queueLimitProblem(limit) !== undefined) {
      throw new SignalError(
        `${action} needs a limit from 1 to ${formatCount(MAX_QUEUE_LIMIT)} (jobs each node runs at once), got ${String(limit)}`,
      )
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

/** A received signal, checked. */
export type ReceivedSignal =
  | {action: 'pause' | 'resume' | 'stop'; queue: string}
  | {action: 'scale'; queue: string; limit?: number; paused?: boolean}
  | {action: 'start'; queue: string; limit: number; paused: boolean}
  | {action: 'pkill'; jobId: JobId}

/**
 * Checks a signal received from another node (or anyone who can NOTIFY): a signal this node must
 * not obey, such as a limit out of range (`1e308`, `99999999999999999999`) or a queue name no node
 * could run, is refused with the reason, for the caller to log (rate-limited) and ignore; the queue
 * keeps its last good setting. Signals for other actions are refused too.
 */
export function parseSignal(payload: Payload): {ok: true; signal: ReceivedSignal} | {ok: false; reason: string} {
  const {action, queue} = payload
  const refuse = (reason: string) => ({ok: false as const, reason})
  const accept = (signal: ReceivedSignal) => ({ok: true as const, signal})
  if (action === 'pkill') {
    // An integer beyond 2^53 arrives as a bigint (src/notifier/codec.ts decodes losslessly).
    const id = jobIdFromJson(payload.job_id)
    return id === undefined ? refuse('pkill without a valid job_id') : accept({action, jobId: id})
  }
  if (typeof queue !== 'string' || queue === '') return refuse('no queue')
  if (queue !== '*' && !isQueueName(queue)) return refuse(`invalid queue name (${QUEUE_NAME_RULE})`)
  const limit = payload.limit
  const limitProblem = limit === undefined ? undefined : queueLimitProblem(limit)
  const badLimit = `limit out of range: ${limitProblem ?? ''} (the queue keeps its limit)`
  switch (action) {
    case 'pause':
    case 'resume':
    case 'stop':
      return accept({action, queue})
    case 'scale': {
      if (limitProblem !== undefined) return refuse(badLimit)
      const paused = typeof payload.paused === 'boolean' ? payload.paused : undefined
      if (limit === undefined && paused === undefined) return refuse('scale without a limit or paused')
      return accept({action, queue, limit: limit as number | undefined, paused})
    }
    case 'start':
      if (limit === undefined) return refuse('start without a limit')
      if (limitProblem !== undefined) return refuse(badLimit)
      return accept({action, queue, limit: limit as number, paused: payload.paused === true})
    default:
      return refuse(`unknown action ${JSON.stringify(action)}`)
  }
}
