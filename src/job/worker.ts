import {defaultBackoff} from './backoff.js'
import {ConfigError, type JobIssue} from '../errors.js'
import type {Job, JobArgs} from './job.js'
import {checkJobSpec, mergeJobOptions, type JobOptions, type JobSpec} from './spec.js'
import {uniqueStatesWarning} from './unique-options.js'
import {describe, isRecord} from '../util/guards.js'

export {cancel, discard, error, isJobResult, ok, snooze, toJobResult, type JobResult} from './result.js'

/** What perform receives besides the job. */
export interface PerformContext {
  /** Aborted when the job times out or is cancelled (pkill), or the queue shuts down past its grace period. */
  signal: AbortSignal
}

/**
 * A worker, as `use Oban.Worker` declares one: a name shared with other nodes, default job
 * options, and the callbacks. Only `name` and `perform` are required.
 */
export interface WorkerDefinition<Args extends JobArgs = JobArgs> {
  /** Stored in `oban_jobs.worker`; Elixir nodes use module names such as `MyApp.Workers.Email`. */
  name: string
  queue?: string
  priority?: number
  maxAttempts?: number
  tags?: readonly string[]
  unique?: JobOptions['unique']
  replace?: JobOptions['replace']
  /**
   * Runs the job. Return nothing (or any value) for success, or one of the result constructors:
   * `error(reason)`, `cancel(reason)`, `discard(reason)`, `snooze(seconds)`. A throw is a failure.
   */
  perform(job: Job<Args>, context: PerformContext): unknown
  /** Seconds to wait before the next attempt after a failure (default: Oban's exponential backoff). */
  backoff?(job: Job<Args>): number
  /** Milliseconds perform may run, or `'infinity'` (the default). */
  timeout?(job: Job<Args>): number | 'infinity'
}

const WORKER = Symbol.for('oban-ts.worker')

/** A defined worker. Branded with a global symbol, so workers from a second copy of this module are recognised. */
export interface Worker<Args extends JobArgs = JobArgs> {
  readonly [WORKER]: true
  readonly name: string
  /** The definition as given (frozen). */
  readonly definition: Readonly<WorkerDefinition<Args>>
  /** The worker's default job options (queue, priority, maxAttempts, tags, unique, replace). */
  readonly options: Readonly<JobOptions>
  /**
   * A job spec for this worker: the worker's options merged with `options` (which win, except
   * that `unique` objects merge key by key), as Oban's `Worker.new/2`. Validated on insert.
   */
  readonly new: (args?: Args, options?: JobOptions) => JobSpec<Args>
  /** The definition's backoff, or Oban's default. */
  backoff(job: Job<Args>): number
  /** The definition's timeout, or `'infinity'`. */
  timeout(job: Job<Args>): number | 'infinity'
}

const DEFINITION_KEYS = [
  'name',
  'queue',
  'priority',
  'maxAttempts',
  'tags',
  'unique',
  'replace',
  'perform',
  'backoff',
  'timeout',
]
const OPTION_KEYS = ['queue', 'priority', 'maxAttempts', 'tags', 'unique', 'replace'] as const

/**
 * Defines a worker, validating it at once (Oban validates at compile time): the name, the
 * callbacks, and the default options with the same rules as a job's. Throws {@link ConfigError}
 * naming the worker and every problem. Unique states that can never see a duplicate only warn.
 */
export function defineWorker<Args extends JobArgs = JobArgs>(definition: WorkerDefinition<Args>): Worker<Args> {
  const where = typeof definition?.name === 'string' ? `worker "${definition.name}"` : 'worker'
  if (!isRecord(definition))
    throw new ConfigError(`${where}: expected a definition object, got ${describe(definition)}`)
  const problems: string[] = []
  for (const key of Object.keys(definition))
    if (!DEFINITION_KEYS.includes(key)) problems.push(`${key}: is not a worker option`)
  if (typeof definition.name !== 'string' || !/^\S{1,127}$/.test(definition.name))
    problems.push(`name: must be 1 to 127 characters without spaces, got ${describe(definition.name)}`)
  if (typeof definition.perform !== 'function') problems.push('perform: must be a function (job, {signal}) => result')
  for (const key of ['backoff', 'timeout'] as const)
    if (definition[key] !== undefined && typeof definition[key] !== 'function')
      problems.push(`${key}: must be a function of the job`)

  const options: JobOptions = {}
  for (const key of OPTION_KEYS) if (definition[key] !== undefined) Object.assign(options, {[key]: definition[key]})
  // The options are checked as a job's would be, against a placeholder worker name.
  const issues: JobIssue[] = []
  const checked = checkJobSpec({worker: 'placeholder', ...options}, undefined, new Date(), issues)
  for (const issue of issues) problems.push(`${issue.field}: ${issue.rule}`)
  if (problems.length > 0) throw new ConfigError(`${where}: ${problems.join('; ')}`)
  const states = checked?.unique?.states
  const warning = states && isRecord(options.unique) && options.unique.states ? uniqueStatesWarning(states) : undefined
  if (warning) process.emitWarning(`${where}: ${warning}`)

  const frozen = Object.freeze({...definition})
  const worker: Worker<Args> = {
    [WORKER]: true,
    name: definition.name,
    definition: frozen,
    options: Object.freeze(options),
    new: (args, jobOptions = {}) => ({...mergeJobOptions(options, jobOptions), worker: definition.name, args}),
    backoff: (job) => (frozen.backoff ? frozen.backoff(job) : defaultBackoff(job)),
    timeout: (job) => (frozen.timeout ? frozen.timeout(job) : 'infinity'),
  }
  return Object.freeze(worker)
}

/** Whether a value is a worker made by {@link defineWorker} (of any copy of this module). */
export function isWorker(value: unknown): value is Worker {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    (value as Record<symbol, unknown>)[WORKER] === true
  )
}
