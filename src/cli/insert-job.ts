import {dirname, resolve} from 'node:path'
import {jobIdToJson} from '../job/job-id.js'
import {insertJob as insertJobSpec, type InsertResult} from '../client/insert.js'
import {findConfigFile, loadConfigFile} from '../config/config-file.js'
import {JobValidationError} from '../errors.js'
import {mergeJobOptions, normalizeJobSpec, type JobOptions, type JobSpec} from '../job/spec.js'
import {loadWorkers} from '../job/worker-registry.js'
import type {CommandDatabase} from './database-command.js'

/** The flags of `oban job insert` that describe the job. */
export interface JobSpecFlags {
  args: string
  queue?: string
  priority?: number
  'schedule-in'?: string
  'max-attempts'?: number
  tags?: string
  meta?: string
  unique: boolean
}

/**
 * The job `oban job insert WORKER` asks for, validated as an insert would validate it, so that
 * an invalid job is one line with exit code 2 before anything connects (or starts the embedded
 * server). Bad JSON in --args or --meta is a validation error of that field. `defaults` are the
 * worker's options when the config defines it (see {@link configuredWorkerDefaults}): a flag wins.
 */
export function parseJobSpec(worker: string, flags: JobSpecFlags, defaults: JobOptions = {}): JobSpec {
  const given: JobSpec = {
    worker,
    args: parseJsonFlag('args', flags.args) as JobSpec['args'],
    queue: flags.queue,
    priority: flags.priority,
    maxAttempts: flags['max-attempts'],
    scheduleIn: flags['schedule-in'],
    tags: flags.tags?.split(','),
    meta: flags.meta === undefined ? undefined : (parseJsonFlag('meta', flags.meta) as JobSpec['meta']),
    unique: flags.unique || undefined,
  }
  // The worker's defaults under the flags, as Worker.new merges them in code.
  const spec: JobSpec = {...mergeJobOptions(defaults, given), worker, args: given.args}
  // Oban takes a negative delay as "now minus", but typed on a command line it is a typo.
  if (spec.scheduleIn !== undefined && /^\s*-/.test(String(spec.scheduleIn)))
    throw new JobValidationError([
      {field: 'schedule-in', rule: `must be a delay from now, such as 10s, 5m or 2h, got ${flags['schedule-in']}`},
    ])
  normalizeJobSpec(spec)
  return spec
}

/** A worker's default job options as the config file defines them, and that file. */
export interface WorkerDefaults {
  options: JobOptions
  file: string
}

/**
 * The default options (queue, priority, maxAttempts, tags, unique, replace) of `worker` as the
 * config file defines it (`--config`, else the `oban.config.*` that `oban start` would find from
 * `cwd`), so that `oban job insert` makes the job the worker's own code would. Undefined without a
 * config file or when it does not define the worker. Loading the worker modules runs them, as
 * `oban start` does; a broken config is the ConfigError `oban start` would report.
 */
export async function configuredWorkerDefaults(
  worker: string,
  options: {configPath?: string; cwd?: string} = {},
): Promise<WorkerDefaults | undefined> {
  const file = options.configPath ?? findConfigFile(options.cwd)
  if (file === undefined) return undefined
  const config = await loadConfigFile(file)
  const registry = await loadWorkers(config.workers, {cwd: dirname(resolve(file))})
  const found = registry.get(worker)
  return found ? {options: found.options, file} : undefined
}

/**
 * Inserts the job as Oban.insert/2 does; an available job is announced on the insert channel,
 * so idle queues pick it up at once.
 */
export async function insertJob(db: CommandDatabase, prefix: string, spec: JobSpec): Promise<InsertResult> {
  return insertJobSpec({pool: db.pool, prefix, insertTrigger: true}, spec)
}

/**
 * One line for a person: what was inserted, or which job already existed; with the config file
 * whose worker defaults applied, when some did.
 */
export function describeInsert(result: InsertResult, defaults?: WorkerDefaults): string {
  const line = describeInserted(result)
  if (!defaults || Object.keys(defaults.options).length === 0) return line
  const applied = Object.entries(defaults.options)
    .map(
      ([key, value]) =>
        `${key} ${typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)}`,
    )
    .join(', ')
  return `${line} (worker defaults from ${defaults.file}: ${applied})`
}

function describeInserted({job, conflict, locked}: InsertResult): string {
  const when =
    job.state === 'scheduled'
      ? `scheduled at ${typeof job.scheduledAt === 'string' ? job.scheduledAt : job.scheduledAt.toISOString()}`
      : job.state
  if (locked) return `Not inserted: another transaction is inserting the same unique job (${job.worker}) right now`
  if (conflict)
    return `Job ${job.id} (${job.worker}) already exists in queue ${job.queue}: ${when} (unique conflict, nothing inserted)`
  return `Inserted job ${job.id} (${job.worker}) into queue ${job.queue}: ${when}`
}

/** `--json`: the job (id null when nothing was inserted), and whether a unique job already existed. */
export function insertJson(result: InsertResult): Record<string, unknown> {
  return {...result.job, id: result.job.id === null ? null : jobIdToJson(result.job.id), conflict: result.conflict}
}

function parseJsonFlag(field: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new JobValidationError([{field, rule: `must be valid JSON (${(error as Error).message}), got ${text}`}])
  }
}
