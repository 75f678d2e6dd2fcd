import {insertJob as insertJobSpec, type InsertResult} from '../client/insert.js'
import {JobValidationError} from '../errors.js'
import {normalizeJobSpec, type JobSpec} from '../job/spec.js'
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
 * server). Bad JSON in --args or --meta is a validation error of that field.
 */
export function parseJobSpec(worker: string, flags: JobSpecFlags): JobSpec {
  const spec: JobSpec = {
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
  // Oban takes a negative delay as "now minus", but typed on a command line it is a typo.
  if (spec.scheduleIn !== undefined && /^\s*-/.test(String(spec.scheduleIn)))
    throw new JobValidationError([
      {field: 'schedule-in', rule: `must be a delay from now, such as 10s, 5m or 2h, got ${flags['schedule-in']}`},
    ])
  normalizeJobSpec(spec)
  return spec
}

/**
 * Inserts the job as Oban.insert/2 does; an available job is announced on the insert channel,
 * so idle queues pick it up at once.
 */
export async function insertJob(db: CommandDatabase, prefix: string, spec: JobSpec): Promise<InsertResult> {
  return insertJobSpec({pool: db.pool, prefix, insertTrigger: true}, spec)
}

/** One line for a person: what was inserted, or which job already existed. */
export function describeInsert({job, conflict, locked}: InsertResult): string {
  const when = job.state === 'scheduled' ? `scheduled at ${job.scheduledAt.toISOString()}` : job.state
  if (locked) return `Not inserted: another transaction is inserting the same unique job (${job.worker}) right now`
  if (conflict)
    return `Job ${job.id} (${job.worker}) already exists in queue ${job.queue}: ${when} (unique conflict, nothing inserted)`
  return `Inserted job ${job.id} (${job.worker}) into queue ${job.queue}: ${when}`
}

/** `--json`: the job (id null when nothing was inserted), and whether a unique job already existed. */
export function insertJson(result: InsertResult): Record<string, unknown> {
  return {...result.job, conflict: result.conflict}
}

function parseJsonFlag(field: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new JobValidationError([{field, rule: `must be valid JSON (${(error as Error).message}), got ${text}`}])
  }
}
