import {Flags} from '@oclif/core'
import {DatabaseCommand, outputFlags} from '../src/cli/database-command.js'
import {formatNodes} from '../src/cli/format-nodes.js'
import {readNodes, type NodesView} from '../src/cli/read-nodes.js'

export default class Nodes extends DatabaseCommand {
  static override summary = 'List every live node on the database: oban-ts, Elixir and Python Oban, with their queues.'
  static override description = `One row per live node of every runtime sharing the database and schema, marked with its runtime, and what each publishes: an oban-ts node its presence row (<prefix>.oban_ts_nodes: queues, limits, paused, running); a Python Oban node its rows in oban_producers (queues, limits, paused; running jobs counted from oban_jobs) and oban_leaders (its leader); an Elixir node only that it is alive (its pings on <prefix>.oban_sonar, which running oban-ts nodes record in <prefix>.oban_ts_sonar, heard within 2 minutes) and, while it leads, its lease in oban_peers. What a runtime does not publish is shown as unknown; an Elixir node that does not lead has no known instance. Two leaders at once (a Python leader beside an oban_peers one) are named with what it costs. Informational: exits 0 when nothing runs.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --instance Other',
    '<%= config.bin %> <%= command.id %> --prefix jobs --json',
  ]

  static override flags = {
    instance: Flags.string({
      summary: 'Only this instance (and nodes of unknown instance); default: every instance.',
      helpValue: 'NAME',
    }),
    ...outputFlags,
  }

  async run(): Promise<NodesView> {
    const {flags} = await this.parse(Nodes)
    const db = await this.open(flags, {embedded: 'running'})
    const view = await readNodes(db, flags.prefix, {instance: flags.instance})
    this.log(formatNodes(view, this.view(flags), {instance: flags.instance}))
    return view
  }
}
