import {
  ACTION_NOTES,
  JobActionCommand,
  jobActionArgs,
  jobActionFlags,
  type JobActionResultJson,
} from '../../src/cli/job-action-command.js'

export default class JobDelete extends JobActionCommand {
  static override summary = 'Delete jobs for good: by id, or every job matching a filter (never executing ones).'
  static override description = `As Oban's delete_all_jobs: every job that is not executing is deleted, whatever its state (cancel an executing job first). Deleted jobs are gone, with their args and errors; finished jobs are also removed over time by the pruner.

${ACTION_NOTES}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> 42 43 44',
    '<%= config.bin %> <%= command.id %> --state discarded,cancelled --worker MyApp.Workers.Legacy',
    '<%= config.bin %> <%= command.id %> --queue default --state completed --yes --json',
  ]

  static override strict = false
  static override args = jobActionArgs
  static override flags = jobActionFlags

  async run(): Promise<JobActionResultJson> {
    const {argv, flags} = await this.parse(JobDelete)
    return this.act('delete', argv, flags)
  }
}
