import {BaseCommand} from '../../src/cli/base-command.js'
import {formatNodes} from '../../src/cli/format-plugin-nodes.js'
import {pluginListFlags} from '../../src/cli/plugin-flags.js'
import {requireNodes} from '../../src/control/nodes.js'
import {describeDatabase} from '../../src/db/connection-url.js'
import {checkConnection, createPool} from '../../src/db/pool.js'
import {resolveDatabase} from '../../src/db/resolve-database.js'
import type {NodePresence} from '../../src/cluster/presence-record.js'

export default class PluginList extends BaseCommand {
  static override summary = "List the running nodes' plugins, their state and their functions."
  static override description = `Reads the live nodes of every instance (or --instance) on the database and schema from <prefix>.oban_ts_nodes, which every running oban-ts instance keeps current, and shows each node's plugins with their state (running, paused, restarting, failed), restarts, last error and interface functions with their arguments: what \`oban plugin FUNCTION PLUGIN [ARGS...]\` can call. Elixir Oban nodes are not listed.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --instance Other',
    '<%= config.bin %> <%= command.id %> --instance Other --json',
  ]

  static override enableJsonFlag = true
  static override flags = pluginListFlags

  async run(): Promise<NodePresence[]> {
    const {flags} = await this.parse(PluginList)
    const {url} = await resolveDatabase({
      databaseUrl: flags['database-url'],
      dataDir: flags['data-dir'],
      embedded: 'running',
    })
    const pool = createPool(url, {allowExitOnIdle: true, max: 1})
    this.defer(() => pool.end())
    await checkConnection(pool, url)
    const nodes = await requireNodes(pool, {
      prefix: flags.prefix,
      instance: flags.instance,
      location: describeDatabase(url),
    })
    for (const line of formatNodes(nodes, new Date())) this.log(line)
    return nodes
  }
}
