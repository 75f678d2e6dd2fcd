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
import {JobAbort, type ExecutionDone, type RunningJob} from './job-abort.js'
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
 * Starts one fetched job and reports its acknowledgement to `done`, following Oban's executor:
 * resolve the worker (an unknown one is a failure, so a node that knows it may run a later
 * attempt), apply its timeout, call perform with an AbortSignal, and map the result. A failure
 * becomes `retryable` with the worker's backoff, or `discarded` once attempts are used up. Never
 * throws: a worker's mistakes (a throwing backoff, a bad result) are failures.
 *
 * Node cannot kill a running promise: on timeout or pkill (the returned handle's `abort`) the
 * signal aborts and the outcome is recorded at once; a worker that ignores its signal keeps
 * running in the background, but its eventual result is ignored.
 */
export function startExecution(job: Job, context: ExecutorContext, done: ExecutionDone): RunningJob {
  const execution = new Execution(job, context, done)
  execution.start()
  return execution
}

/** {@link startExecution} as a promise of the ack, for callers that run one job at a time. */
export function executeJob(job: Job, context: ExecutorContext): Promise<Ack> {
  return new Promise((resolve) => startExecution(job, context, (_, ack) => resolve(ack)))
}

/**
 * One job's execution: its abort, the race between the worker's result and an abort, and the
 * ack. One object per job, with no closures but the two handlers of the worker's promise: at
 * thousands of jobs a second, a promise and closures per step were a visible share of a busy
 * queue's CPU (bench/README.md).
 */
class Execution extends JobAbort {
  private ended = false
  private timer?: NodeJS.Timeout
  private worker?: Worker
  private meta?: Record<string, unknown>
  private readonly started = performance.now()

  constructor(
    readonly job: Job,
    private readonly context: ExecutorContext,
    private readonly onDone: ExecutionDone,
  ) {
    super()
  }

  start(): void {
    const {job, context} = this
    if (isObserved('job:')) {
      this.meta = jobMeta(job, context)
      emit('job:start', {systemTime: Date.now()}, this.meta)
    }
    const resolved = context.workers.resolve(job.worker)
    if (!resolved.ok)
      return this.end({kind: 'failure', error: formatError(resolved.error), reason: resolved.error}, true)
    const worker = (this.worker = resolved.worker)
    const malformed = malformedReason(job)
    if (malformed)
      return this.end({kind: 'failure', error: `ArgumentError: ${malformed}`, reason: new Error(malformed)}, true)
    const timeout = safeTimeout(worker, job)
    if (timeout !== 'infinity')
      this.timer = setSafeTimeout(() => this.abort(new JobTimeoutError(worker.name, timeout)), timeout)
    let result: unknown
    try {
      result = worker.definition.perform(job, new PerformContext(this))
    } catch (error) {
      return this.end({kind: 'failure', error: formatError(error), reason: error}, true)
    }
    if (isThenable(result)) {
      try {
        result.then(
          (value) => this.end(this.fromValue(value), false),
          (error: unknown) => this.end({kind: 'failure', error: formatError(error), reason: error}, false),
        )
      } catch (error) {
        // A thenable whose then throws: a failure like any other.
        this.end({kind: 'failure', error: formatError(error), reason: error}, true)
      }
    } else {
      this.end(this.fromValue(result), true)
    }
  }

  /** An abort (pkill, shutdown, the timeout) ends the execution at once, whatever the worker does. */
  override abort(reason: unknown): void {
    if (this.aborted) return
    super.abort(reason)
    this.end(abortOutcome(this.worker, reason), true)
  }

  private fromValue(value: unknown): Outcome {
    try {
      return fromResult(this.worker!, toJobResult(value))
    } catch (error) {
      return {kind: 'failure', error: formatError(error), reason: error}
    }
  }

  /**
   * Records the first outcome and reports its ack; later ones (a result after an abort) are
   * ignored. `defer` reports it from a microtask: an outcome known while the execution starts or
   * inside an abort call reaches `done` after its caller has returned, as a result always does.
   */
  private end(outcome: Outcome, defer: boolean): void {
    if (this.ended) return
    this.ended = true
    clearTimeout(this.timer)
    if (defer) queueMicrotask(() => this.report(outcome))
    else this.report(outcome)
  }

  private report(outcome: Outcome): void {
    const {job, context, meta} = this
    const ack = toAck(job, outcome, this.worker, context)
    if (meta) {
      const duration = performance.now() - this.started
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
    this.onDone(job, ack)
  }
}

/** What perform receives besides the job: the signal, created only when read (see JobAbort). */
class PerformContext {
  constructor(private readonly execution: JobAbort) {}

  get signal(): AbortSignal {
    return this.execution.signal
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as {then?: unknown}).then === 'function'
  )
}

function safeTimeout(worker: Worker, job: Job): number | 'infinity' {
  try {
    const value = worker.timeout(job)
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 'infinity'
  } catch {
    return 'infinity'
  }
}

function abortOutcome(worker: Worker | undefined, reason: unknown): Outcome {
  if (reason instanceof JobKilled) {
    const name = worker?.name ?? 'the worker'
    return {kind: 'cancelled', error: `PerformError: ${name} was cancelled while executing (pkill)`, reason}
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
