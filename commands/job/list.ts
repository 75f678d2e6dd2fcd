import {Flags} from '@oclif/core'
import {DatabaseCommand, outputFlags, wideFlag} from '../../src/cli/database-command.js'
import {formatJobListing, jobToJson, type JobJson} from '../../src/cli/format-jobs.js'
import {jobFilterFlags, parseJobListFlags} from '../../src/cli/job-filter-flags.js'
import {listJobs} from '../../src/cli/read-jobs.js'

export default class JobList extends DatabaseCommand {
  static override summary = 'List jobs, newest first, filtered by queue, state, worker, tag, args or meta.'
  static override description = `Reads oban_jobs directly, so it lists jobs of every node sharing the database, Elixir and Python Oban included. Filters combine (all must hold); a filter given several values matches any of them. On a terminal the jobs are a table (args cut to fit); otherwise one aligned line per job; --json prints every field of each job.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --state retryable,discarded --queue default --limit 50',
    `<%= config.bin %> <%= command.id %> --worker MyApp.Workers.Email --args-contains '{"account_id":7}' --order attempted_at:desc`,
    '<%= config.bin %> <%= command.id %> --tag nightly --order scheduled_at --json',
  ]

  static override flags = {
    ...jobFilterFlags,
    limit: Flags.integer({summary: 'Show at most this many jobs (1 to 1,000,000).', default: 20, helpValue: 'N'}),
    order: Flags.string({
      summary: 'Sort by id, inserted_at, scheduled_at or attempted_at; descending as --order=-FIELD or FIELD:desc.',
      default: '-id',
      helpValue: 'FIELD',
    }),
    wide: wideFlag,
    ...outputFlags,
  }

  async run(): Promise<JobJson[]> {
    const {flags} = await this.parse(JobList)
    const query = parseJobListFlags(flags)
    const db = await this.open(flags)
    const jobs = await listJobs(db, flags.prefix, query)
    this.log(formatJobListing(jobs, query.filter, this.view(flags)))
    return jobs.map(jobToJson)
  }
}
