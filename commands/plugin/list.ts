import {DatabaseCommand} from '../../src/cli/database-command.js'
import {formatNodes} from '../../src/cli/format-plugin-nodes.js'
import {pluginListFlags} from '../../src/cli/plugin-flags.js'
import {listPluginNodes, type NodePresence} from '../../src/cli/plugin-control.js'

export default class PluginList extends DatabaseCommand {
  static override summary = "List the running nodes' plugins, their state and their functions."
  static override description = `Reads the live nodes of every instance (or --instance) on the database and schema from <prefix>.oban_ts_nodes, which every running oban-ts instance keeps current, and shows each node's plugins with their state (running, paused, restarting, failed), restarts, last error and interface functions with their arguments: what \`oban plugin FUNCTION PLUGIN [ARGS...]\` can call. Elixir Oban nodes are not listed.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --instance Other',
    '<%= config.bin %> <%= command.id %> --instance Other --json',
  ]

  static override flags = pluginListFlags

  async run(): Promise<NodePresence[]> {
    const {flags} = await this.parse(PluginList)
    const db = await this.open(flags, {embedded: 'running', schema: 'any'})
    const nodes = await listPluginNodes(db, flags.prefix, {instance: flags.instance})
    for (const line of formatNodes(nodes, new Date())) this.log(line)
    return nodes
  }
}
