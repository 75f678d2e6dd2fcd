import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {initProject, type InitResult} from '../src/cli/init/scaffold.js'

export default class Init extends BaseCommand {
  static override summary = 'Write a starter oban.config.ts and an example worker.'
  static override description = `Creates oban.config.ts (queue default with 10 slots, the example worker listed) and workers/example-worker.ts, and adds .oban/ (the embedded PostgreSQL's data) to .gitignore, creating it if needed. Existing files are never overwritten without --force; then nothing is written at all. Prints the commands to run next. Needs no database.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> ./my-app --force',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override enableJsonFlag = true

  static override args = {
    dir: Args.string({description: 'Project directory (default: the current directory).'}),
  }

  static override flags = {
    force: Flags.boolean({summary: 'Overwrite oban.config.* and workers/example-worker.ts if they exist.'}),
  }

  async run(): Promise<InitResult> {
    const {args, flags} = await this.parse(Init)
    const result = initProject({dir: args.dir ?? process.cwd(), force: flags.force})
    for (const file of result.files) this.log(`${file.action.padEnd(11)} ${file.path}`)
    this.log(`\nNext:\n${result.next.map((command) => `  ${command}`).join('\n')}`)
    return result
  }
}
