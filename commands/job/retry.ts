import {
  ACTION_NOTES,
  JobActionCommand,
  jobActionArgs,
  jobActionFlags,
  type JobActionResultJson,
} from '../../src/cli/job-action-command.js'

export default class JobRetry extends JobActionCommand {
  static override summary = 'Retry jobs now: by id, or every job matching a filter.'
  static override description = `As Oban's retry_all_jobs: every job that is neither available nor executing (completed, discarded, cancelled, retryable, scheduled, suspended) becomes available at once, with at least one attempt left (max_attempts is raised to attempt + 1 when spent) and its completed, cancelled and discarded times cleared. Queues are woken as by an insert.

${ACTION_NOTES}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> 42 43',
    '<%= config.bin %> <%= command.id %> --state discarded --queue mailers',
    `<%= config.bin %> <%= command.id %> --worker MyApp.Workers.Sync --args-contains '{"account":7}' --yes --json`,
  ]

  static override strict = false
  static override args = jobActionArgs
  static override flags = jobActionFlags

  async run(): Promise<JobActionResultJson> {
    const {argv, flags} = await this.parse(JobRetry)
    return this.act('retry', argv, flags)
  }
}
