import {Flags} from '@oclif/core'
import {DatabaseCommand, outputFlags} from '../src/cli/database-command.js'
import {formatStatus} from '../src/cli/format-status.js'
import {readStatus, type ObanStatus} from '../src/cli/read-status.js'

export default class Status extends DatabaseCommand {
  static override aliases = ['nodes']
  static override summary = 'Show the instances and nodes running on the database: leaders, queues and plugins.'
  static override description = `For every instance on the database and schema (or --instance): which node leads (the holder of its oban_peers lease, an Elixir node too, marked "not oban-ts"), and each live oban-ts node with its pid, host, uptime and last presence write, its queues (limit, jobs running, paused) and its plugins (state, restarts, last error). Nodes come from <prefix>.oban_ts_nodes, which every running oban-ts node rewrites every 10 seconds; Elixir and Python nodes write no such row, so an Elixir instance shows its leader only (Python Oban keeps its leader in its own oban_leaders table, which is not read). Informational: when nothing runs it says so and exits 0.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --instance Other',
    '<%= config.bin %> <%= command.id %> --prefix jobs --json',
  ]

  static override flags = {
    instance: Flags.string({
      summary: 'Only this instance; default: every instance on the database and schema.',
      helpValue: 'NAME',
    }),
    ...outputFlags,
  }

  async run(): Promise<ObanStatus> {
    const {flags} = await this.parse(Status)
    const db = await this.open(flags, {embedded: 'running'})
    const reading = await readStatus(db, flags.prefix, {instance: flags.instance})
    this.log(formatStatus(reading, this.view(flags)))
    return reading.status
  }
}
