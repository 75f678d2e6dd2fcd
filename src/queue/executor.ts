import {defaultBackoff} from '../job/backoff.js'
import {timestampMs} from '../db/types.js'
import {coerceError} from '../errors.js'
import {malformedReason, type Job, type JobError} from '../job/job.js'
import {toJobResult, type JobResult} from '../job/result.js'
import type {Logger} from '../telemetry/logger.js'
import {execute as emit, isObserved} from '../telemetry/telemetry.js'
import type {Worker} from '../job/worker.js'
import type {WorkerRegistry} from '../job/worker-registry.js'
import type {Ack} from './acker.js'
import type {JobAbort} from './job-abort.js'
import {JobKilled} from './queues.js'
import {setSafeTimeout} from '../util/timer.js'

export interface ExecutorContext {
  instance: string
  prefix: string
  workers: WorkerRegistry
  logger: Logger
}

/** Raised into a job's signal when its worker's timeout passes (Oban's `Oban.TimeoutError`). */
export class JobTimeoutError extends Error {
  constructor(worker: string, ms: number) {
    super(`${worker} timed out after ${ms}ms`)
    this.name = 'TimeoutError'
  }
}

type Failure = {kind: 'failure'; error: string; reason: unknown}
type Outcome =
  | {kind: 'success'; value: unknown}
  | Failure
  | {kind: 'cancelled'; error: string; reason: unknown}
  | {kind: 'discard'; error: string; reason: unknown}
  | {kind: 'snoozed'; seconds: number}

/**
 * Runs one fetched job to its outcome and returns the acknowledgement to write, following
 * Oban's executor: resolve the worker (an unknown one is a failure, so a node that knows it may
 * run a later attempt), apply its timeout, call perform with an AbortSignal, and map the result.
 * A failure becomes `retryable` with the worker's backoff, or `discarded` once attempts are
 * used up. Never throws: a worker's mistakes (a throwing backoff, a bad result) are failures.
 *
 * Node cannot kill a running promise: on timeout or pkill the signal aborts and the outcome is
 * recorded at once; a worker that ignores its signal keeps running in the background, but its
 * eventual result is ignored.
 */
export async function executeJob(job: Job, abort: JobAbort, context: ExecutorContext): Promise<Ack> {
  const meta = isObserved('job:') ? jobMeta(job, context) : undefined
  const started = performance.now()
  if (meta) emit('job:start', {systemTime: Date.now()}, meta)
  const resolved = context.workers.resolve(job.worker)
  const worker = resolved.ok ? resolved.worker : undefined
  const malformed = malformedReason(job)
  const outcome: Outcome = !resolved.ok
    ? {kind: 'failure', error: formatError(resolved.error), reason: resolved.error}
    : malformed
      ? {kind: 'failure', error: `ArgumentError: ${malformed}`, reason: new Error(malformed)}
      : await perform(resolved.worker, job, abort)
  const ack = toAck(job, outcome, worker, context)
  if (meta) {
    const duration = performance.now() - started
    const waited = (job.attemptedAt === null ? 0 : timestampMs(job.attemptedAt)) - timestampMs(job.scheduledAt)
    // A scheduled time a Date cannot hold (`-infinity`, set by hand) gives no queue time.
    const queueTime = Number.isFinite(waited) ? Math.max(0, waited) : 0
    const state = ack.kind === 'discard' ? 'discard' : stateOf(outcome)
    if (outcome.kind === 'failure') {
      emit(
        'job:exception',
        {duration, queueTime},
        {...meta, state, kind: 'error', reason: outcome.reason, error: outcome.reason},
      )
    } else {
      emit('job:stop', {duration, queueTime}, {...meta, state, result: outcome})
    }
  }
  return ack
}

/**
 * Calls the worker and settles with the first of: its result, or an abort (pkill, shutdown, its
 * timeout). One promise per job, resolved by whichever comes first; the worker's late result
 * after an abort is ignored.
 */
function perform(worker: Worker, job: Job, abort: JobAbort): Promise<Outcome> {
  const timeout = safeTimeout(worker, job)
  return new Promise<Outcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined
    let settled = false
    const settle = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      abort.onAbort(undefined)
      resolve(outcome)
    }
    abort.onAbort((reason) => settle(abortOutcome(worker, reason)))
    if (settled) return
    if (timeout !== 'infinity')
      timer = setSafeTimeout(() => abort.abort(new JobTimeoutError(worker.name, timeout)), timeout)
    let result: unknown
    try {
      result = worker.definition.perform(job, {
        get signal() {
          return abort.signal
        },
      })
    } catch (error) {
      settle({kind: 'failure', error: formatError(error), reason: error})
      return
    }
    Promise.resolve(result).then(
      (value) => {
        if (settled) return
        let outcome: Outcome
        try {
          outcome = fromResult(worker, toJobResult(value))
        } catch (error) {
          outcome = {kind: 'failure', error: formatError(error), reason: error}
        }
        settle(outcome)
      },
      (error: unknown) => settle({kind: 'failure', error: formatError(error), reason: error}),
    )
  })
}

function safeTimeout(worker: Worker, job: Job): number | 'infinity' {
  try {
    const value = worker.timeout(job)
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 'infinity'
  } catch {
    return 'infinity'
  }
}

function abortOutcome(worker: Worker, reason: unknown): Outcome {
  if (reason instanceof JobKilled) {
    return {kind: 'cancelled', error: `PerformError: ${worker.name} was cancelled while executing (pkill)`, reason}
  }
  return {kind: 'failure', error: formatError(reason), reason}
}

function fromResult(worker: Worker, result: JobResult): Outcome {
  switch (result.kind) {
    case 'ok':
      return {kind: 'success', value: result.value}
    case 'error':
      return {kind: 'failure', error: performError(worker, 'error', result.reason), reason: result.reason}
    case 'cancel':
      return {kind: 'cancelled', error: performError(worker, 'cancel', result.reason), reason: result.reason}
    case 'discard':
      return {kind: 'discard', error: performError(worker, 'discard', result.reason), reason: result.reason}
    case 'snooze':
      return {kind: 'snoozed', seconds: result.seconds}
  }
}

function toAck(job: Job, outcome: Outcome, worker: Worker | undefined, context: ExecutorContext): Ack {
  // The attempt this node fetched: the ack changes the job only while it is still that attempt.
  const {id, attempt} = job
  switch (outcome.kind) {
    case 'success':
      return {kind: 'complete', id, attempt}
    case 'snoozed':
      return {kind: 'snooze', id, attempt, seconds: outcome.seconds}
    case 'cancelled':
      return {kind: 'cancel', id, attempt, error: errorEntry(job, outcome.error)}
    case 'discard':
      return {kind: 'discard', id, attempt, error: errorEntry(job, outcome.error)}
    case 'failure':
      context.logger.debug(
        `job ${job.id} (${job.worker}) attempt ${job.attempt} failed: ${outcome.error.split('\n')[0]}`,
      )
      if (job.attempt >= job.maxAttempts) return {kind: 'discard', id, attempt, error: errorEntry(job, outcome.error)}
      return {
        kind: 'retry',
        id,
        attempt,
        backoff: backoffFor(worker, job, context),
        error: errorEntry(job, outcome.error),
      }
  }
}

function errorEntry(job: Job, error: string): JobError {
  return {attempt: job.attempt, at: new Date().toISOString(), error}
}

function backoffFor(worker: Worker | undefined, job: Job, context: ExecutorContext): number {
  if (!worker) return defaultBackoff(job)
  try {
    const seconds = worker.backoff(job)
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return seconds
    context.logger.warn(`worker ${worker.name}: backoff returned ${String(seconds)}; using the default backoff`)
  } catch (error) {
    context.logger.warn(
      `worker ${worker.name}: backoff threw (${coerceError(error).message}); using the default backoff`,
    )
  }
  return defaultBackoff(job)
}

function stateOf(outcome: Outcome): string {
  return {success: 'success', failure: 'failure', cancelled: 'cancelled', discard: 'discard', snoozed: 'snoozed'}[
    outcome.kind
  ]
}

/** The `error` text of an errors entry for a thrown value: its stack (name, message and frames). */
function formatError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return `CrashError: ${typeof error === 'string' ? error : safeJson(error)}`
}

/** Oban's `Oban.PerformError` text for a returned `{:error|:cancel|:discard, reason}`. */
function performError(worker: Worker, kind: string, reason: unknown): string {
  const detail =
    reason instanceof Error ? (reason.stack ?? reason.message) : typeof reason === 'string' ? reason : safeJson(reason)
  return `PerformError: ${worker.name} failed with ${kind}: ${detail}`
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

function jobMeta(job: Job, context: ExecutorContext): Record<string, unknown> {
  return {
    instance: context.instance,
    prefix: context.prefix,
    job,
    id: job.id,
    args: job.args,
    queue: job.queue,
    worker: job.worker,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    tags: job.tags,
  }
}
