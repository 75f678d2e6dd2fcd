import {Args} from '@oclif/core'
import {DatabaseCommand} from '../../src/cli/database-command.js'
import {formatCallLines} from '../../src/cli/format-plugin-call.js'
import {parseTimeout, pluginCallFlags} from '../../src/cli/plugin-flags.js'
import {callPlugin, PluginCallFailedError, type PluginCallResult} from '../../src/cli/plugin-control.js'

export default class PluginCall extends DatabaseCommand {
  static override summary = "Call a plugin's function on the running nodes of an instance."
  static override description = `Runs FUNCTION of PLUGIN on every live node of --instance (or only --node), from any machine that reaches the database, and prints one line per node with its result. Exits 0 only if every addressed node succeeded; a node that fails, throws or does not answer within --timeout is named.

ARGS are the function's arguments in their declared order, each parsed by its declared type (integer, number, boolean, duration such as 10s, JSON, string). \`oban plugin list\` shows each node's plugins, their state and their functions with arguments; the names, the function and the arguments are checked against it before anything is sent.

The call travels on a notification channel of our own (<prefix>.oban_ts_control): Elixir Oban nodes never see it. Live nodes are those listed in <prefix>.oban_ts_nodes, which every running oban-ts instance keeps current.`

  static override usage =
    '<%= command.id %> FUNCTION PLUGIN [ARGS...] [--instance NAME] [--node NODE] [--timeout DURATION] [--json]'

  static override examples = [
    '<%= config.bin %> <%= command.id %> pause Breakdown --instance Other',
    '<%= config.bin %> <%= command.id %> resume Breakdown --instance Other --node worker-1',
    '<%= config.bin %> <%= command.id %> refresh Breakdown --timeout 10s --json',
    '<%= config.bin %> plugin list --instance Other',
  ]

  static override args = {
    function: Args.string({description: 'The function to call, e.g. pause.', required: true, ignoreStdin: true}),
    plugin: Args.string({description: 'The plugin, e.g. Breakdown.', required: true, ignoreStdin: true}),
    args: Args.string({
      description: "The function's arguments, in their declared order.",
      multiple: true,
      ignoreStdin: true,
    }),
  }

  static override flags = pluginCallFlags

  private failed: PluginCallResult | undefined

  async run(): Promise<PluginCallResult> {
    const {args, flags} = await this.parse(PluginCall)
    const timeoutMs = parseTimeout(flags.timeout)
    const url = await this.databaseUrl(flags, {embedded: 'running', direct: true})
    const result = await callPlugin(url, {
      prefix: flags.prefix,
      instance: flags.instance,
      node: flags.node,
      plugin: args.plugin,
      fn: args.function,
      argv: args.args ?? [],
      timeoutMs,
    })
    for (const line of formatCallLines(result)) this.log(line)
    if (!result.ok) {
      this.failed = result
      throw new PluginCallFailedError(result)
    }
    return result
  }

  /** With --json, a failed call still shows every node's outcome next to the error. */
  protected override toErrorJson(error: unknown): unknown {
    const json = super.toErrorJson(error) as Record<string, unknown>
    return this.failed ? {...json, result: this.failed} : json
  }
}
