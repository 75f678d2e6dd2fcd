import {Flags} from '@oclif/core'
import {DatabaseCommand, outputFlags} from '../src/cli/database-command.js'
import {formatStatus} from '../src/cli/format-status.js'
import {readStatus, type ObanStatus} from '../src/cli/read-status.js'

export default class Status extends DatabaseCommand {
  static override summary = 'Show the instances and nodes running on the database: leaders, queues and plugins.'
  static override description = `For every instance on the database and schema (or --instance): which node leads (the holder of its oban_peers lease, an Elixir node too, or of Python Oban's oban_leaders row), and every live node of every runtime, marked oban-ts, elixir or python: oban-ts nodes with their pid, host, uptime and last presence write (<prefix>.oban_ts_nodes, rewritten every 10 seconds), queues (limit, jobs running, paused) and plugins (state, restarts, last error); Python nodes with their queues from oban_producers; Elixir nodes as heard on <prefix>.oban_sonar by running oban-ts nodes (their queues and running jobs are unknown, and a node that does not lead has no known instance). Then two leaders at once, if a Python leader holds office beside an oban_peers one, with what it costs; and the jobs that can never run (no attempt left), with the ids to retry. \`oban nodes\` lists the nodes alone. Informational: when nothing runs it says so and exits 0.`

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
