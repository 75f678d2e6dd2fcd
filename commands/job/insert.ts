import {Args, Flags} from '@oclif/core'
import {DatabaseCommand} from '../../src/cli/database-command.js'
import {dataDirFlag} from '../../src/cli/flags.js'
import {
  configuredWorkerDefaults,
  describeInsert,
  insertJob,
  insertJson,
  parseJobSpec,
} from '../../src/cli/insert-job.js'

export default class JobInsert extends DatabaseCommand {
  static override summary = 'Insert a job.'
  static override description = `Inserts one job for WORKER, which any node (this port or Elixir/Python Oban) that knows the worker will run. Options follow Oban's Job.new: when the config file (--config, or the oban.config.* that oban start finds) defines WORKER, its defaults (queue, priority, maxAttempts, tags, unique) apply as they do from code, and flags override them; otherwise the queue defaults to "default", the priority to 0 (highest) and max attempts to 20. --schedule-in makes the job scheduled. Available jobs are announced on the insert channel so idle queues pick them up at once.

The job is validated before anything connects; an invalid job is reported in one line with exit code 2 and nothing is inserted.`

  static override examples = [
    `<%= config.bin %> <%= command.id %> MyApp.Workers.Email --args '{"id":1}'`,
    `<%= config.bin %> <%= command.id %> MyApp.Workers.Report --queue reports --priority 3 --schedule-in 10m --tags nightly,pdf`,
    `<%= config.bin %> <%= command.id %> MyApp.Workers.Sync --args '{"account":7}' --unique --json`,
  ]

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
    config: Flags.string({
      char: 'c',
      summary: 'Config file whose workers give their defaults, instead of searching for oban.config.*.',
      helpValue: 'FILE',
    }),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<Record<string, unknown>> {
    const {args, flags} = await this.parse(JobInsert)
    const defaults = await configuredWorkerDefaults(args.worker, {configPath: flags.config})
    const spec = parseJobSpec(args.worker, flags, defaults?.options)
    const db = await this.open(flags)
    const result = await insertJob(db, flags.prefix, spec)
    this.log(describeInsert(result, defaults))
    return insertJson(result)
  }
}
