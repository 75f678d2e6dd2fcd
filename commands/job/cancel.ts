import {
  ACTION_NOTES,
  JobActionCommand,
  jobActionArgs,
  jobActionFlags,
  type JobActionResultJson,
} from '../../src/cli/job-action-command.js'

export default class JobCancel extends JobActionCommand {
  static override summary = 'Cancel jobs: by id, or every job matching a filter; executing jobs are aborted.'
  static override description = `As Oban's cancel_all_jobs: every job not already completed, discarded or cancelled becomes cancelled. For each job that was executing, Oban's pkill signal goes out (at commit), and whichever node runs it, Elixir, Python or this port, aborts it; a job that completes before the signal arrives stays completed.

${ACTION_NOTES}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> 42',
    '<%= config.bin %> <%= command.id %> --queue reports --state scheduled,available',
    '<%= config.bin %> <%= command.id %> --tag import-2024 --yes --json',
  ]

  static override strict = false
  static override args = jobActionArgs
  static override flags = jobActionFlags

  async run(): Promise<JobActionResultJson> {
    const {argv, flags} = await this.parse(JobCancel)
    return this.act('cancel', argv, flags)
  }
}
