import {Args} from '@oclif/core'
import {DatabaseCommand, outputFlags} from '../../src/cli/database-command.js'
import {formatJobDetail, jobToJson, type JobJson} from '../../src/cli/format-jobs.js'
import {parseId} from '../../src/cli/job-filter-flags.js'
import {showJob} from '../../src/cli/read-jobs.js'

export default class JobShow extends DatabaseCommand {
  static override summary = 'Show every field of one job, with its args, meta and errors.'
  static override description = `Args and meta are pretty-printed; each error is shown in full with its attempt and time, the newest last. An id that does not exist is an error (exit code 1).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> 42',
    '<%= config.bin %> <%= command.id %> 42 --prefix jobs --json',
  ]

  static override args = {
    id: Args.string({description: 'The job id.', required: true}),
  }

  static override flags = {...outputFlags}

  async run(): Promise<JobJson> {
    const {args, flags} = await this.parse(JobShow)
    const id = parseId(args.id)
    const db = await this.open(flags)
    const job = await showJob(db, flags.prefix, id)
    this.log(formatJobDetail(job, this.view(flags)))
    return jobToJson(job)
  }
}
