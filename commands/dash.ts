import {Flags} from '@oclif/core'
import {DatabaseCommand, outputFlags} from '../src/cli/database-command.js'
import {instanceFlag} from '../src/cli/flags.js'
import {isInteractive} from '../src/cli/terminal.js'
import {notATerminal, parseDashInterval} from '../src/cli/dash/options.js'

export default class Dash extends DatabaseCommand {
  static override summary =
    'Oban Web in the terminal: queues, nodes, throughput and jobs, with actions, on one live screen.'
  static override description = `Keyboard-driven (? shows every key; q or Ctrl-C quits and gives the terminal back). Tabs: Queues (counts by state, latency, running/limit per node, pause/resume/scale/stop, throughput sparklines), Nodes (instances, nodes, plugins and their functions, callable), Jobs (filter by state, queue, worker, tag and a search over args and meta; detail with every error; retry, cancel, delete one job or the marked ones, after a confirmation with the counts).

The dash joins the instance as a viewer node: it never runs jobs, obeys no queue signal and never leads. It needs a terminal; for text use oban breakdown, oban queue list or oban job list.`

  static override enableJsonFlag = false

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --interval 1s --instance MyApp.Oban',
    '<%= config.bin %> <%= command.id %> --readonly',
  ]

  static override flags = {
    instance: instanceFlag,
    interval: Flags.string({
      summary: 'Time between two refreshes: 500ms, 2s, 1m (at least 250ms).',
      helpValue: 'DURATION',
      defaultHelp: async () => '2s',
    }),
    readonly: Flags.boolean({summary: 'Only look: every action (signals, job actions, plugin calls) is hidden.'}),
    ...outputFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Dash)
    if (!isInteractive()) throw notATerminal()
    parseDashInterval(flags.interval)
    // Loaded here: the instance and Ink are heavy, and every other command would pay for them.
    const {runDash} = await import('../src/cli/dash/run-dash.js')
    const db = await this.open(flags, {embedded: 'running'})
    await runDash({
      db,
      prefix: flags.prefix,
      instance: flags.instance,
      interval: flags.interval,
      readonly: flags.readonly,
      colors: this.colors(flags),
      dataDir: flags['data-dir'],
    })
  }
}
