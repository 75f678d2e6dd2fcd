import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {verifyMigrated} from '../../src/db/migrations/index.js'
import {createPool} from '../../src/db/pool.js'
import {resolveDatabase} from '../../src/db/resolve-database.js'
import {JobValidationError} from '../../src/errors.js'
import {insertJob, type InsertResult} from '../../src/client/insert.js'
import {normalizeJobSpec, type JobSpec} from '../../src/job/spec.js'

export default class JobInsert extends BaseCommand {
  static override summary = 'Insert a job.'
  static override description = `Inserts one job for WORKER, which any node (this port or Elixir/Python Oban) that knows the worker will run. Options follow Oban's Job.new: the queue defaults to "default", the priority to 0 (highest) and max attempts to 20; --schedule-in makes the job scheduled. Available jobs are announced on the insert channel so idle queues pick them up at once.

The job is validated before anything connects; an invalid job is reported in one line with exit code 2 and nothing is inserted.`

  static override examples = [
    `<%= config.bin %> <%= command.id %> MyApp.Workers.Email --args '{"id":1}'`,
    `<%= config.bin %> <%= command.id %> MyApp.Workers.Report --queue reports --priority 3 --schedule-in 10m --tags nightly,pdf`,
    `<%= config.bin %> <%= command.id %> MyApp.Workers.Sync --args '{"account":7}' --unique --json`,
  ]

  static override enableJsonFlag = true

  static override args = {
    worker: Args.string({description: 'Worker name as stored in the job, e.g. MyApp.Workers.Email.', required: true}),
  }

  static override flags = {
    args: Flags.string({summary: 'Job arguments: a JSON object.', default: '{}', helpValue: 'JSON'}),
    queue: Flags.string({summary: 'Queue to insert into (default: default).', helpValue: 'QUEUE'}),
    priority: Flags.integer({summary: 'Priority from 0 (highest, the default) to 9.', helpValue: '0-9'}),
    'schedule-in': Flags.string({
      summary: 'Run after this delay: seconds, or a duration such as 10s, 5m, 2h.',
      helpValue: 'DURATION',
    }),
    'max-attempts': Flags.integer({summary: 'Attempts before the job is discarded (default 20).', helpValue: 'N'}),
    tags: Flags.string({summary: 'Comma-separated tags.', helpValue: 'a,b'}),
    meta: Flags.string({summary: 'Job meta: a JSON object.', helpValue: 'JSON'}),
    unique: Flags.boolean({
      summary:
        'Insert only if no job with the same worker, queue and args exists (any time, any state but cancelled/discarded).',
    }),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<Record<string, unknown>> {
    const {args, flags} = await this.parse(JobInsert)
    const spec: JobSpec = {
      worker: args.worker,
      args: parseJsonFlag('args', flags.args) as JobSpec['args'],
      queue: flags.queue,
      priority: flags.priority,
      maxAttempts: flags['max-attempts'],
      scheduleIn: flags['schedule-in'],
      tags: flags.tags?.split(','),
      meta: flags.meta === undefined ? undefined : (parseJsonFlag('meta', flags.meta) as JobSpec['meta']),
      unique: flags.unique || undefined,
    }
    // Validate before resolving the database, which may start the embedded server.
    normalizeJobSpec(spec)
    const {url} = await resolveDatabase({databaseUrl: flags['database-url'], dataDir: flags['data-dir']})
    const pool = createPool(url, {allowExitOnIdle: true, max: 1})
    this.defer(() => pool.end())
    await verifyMigrated(pool, flags.prefix)
    const result = await insertJob({pool, prefix: flags.prefix, insertTrigger: true}, spec)
    this.log(describeInsert(result))
    return {...result.job, conflict: result.conflict}
  }
}

/** Parses a JSON flag; bad JSON is a validation error of that field. */
function parseJsonFlag(field: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new JobValidationError([{field, rule: `must be valid JSON (${(error as Error).message}), got ${text}`}])
  }
}

/** One line for a person: what was inserted, or which job already existed. */
export function describeInsert({job, conflict, locked}: InsertResult): string {
  const when = job.state === 'scheduled' ? `scheduled at ${job.scheduledAt.toISOString()}` : job.state
  if (locked) return `Not inserted: another transaction is inserting the same unique job (${job.worker}) right now`
  if (conflict)
    return `Job ${job.id} (${job.worker}) already exists in queue ${job.queue}: ${when} (unique conflict, nothing inserted)`
  return `Inserted job ${job.id} (${job.worker}) into queue ${job.queue}: ${when}`
}
