import {Flags} from '@oclif/core'
import {DatabaseCommand, outputFlags, wideFlag} from '../../src/cli/database-command.js'
import {formatQueueList} from '../../src/cli/format-queues.js'
import {listQueues, type QueueOverview} from '../../src/cli/list-queues.js'

export default class QueueList extends DatabaseCommand {
  static override summary =
    'List queues with their available, scheduled, executing and retryable jobs, latency, and the nodes running them.'
  static override description = `The counts come from oban_jobs, so they cover every node sharing the database (Elixir and Python Oban included) and show a queue as soon as it has unfinished jobs, whether or not a node runs it. The latency is how long the oldest available job has waited since it became runnable: a growing latency means the queue is paused, stopped, or short of capacity.

The NODES column (nodes in --json) lists the live nodes known to run the queue: oban-ts nodes from <prefix>.oban_ts_nodes and Python Oban nodes from oban_producers (marked "python"): how many, their summed limit, the jobs running on them and how many paused it. A queue that runs on a node but has no unfinished jobs is listed with zero counts. Elixir nodes publish no queues: a line under the table names the live ones, whose queues are unknown.

Jobs that can never run (available, scheduled or retryable with no attempt left) are counted and named under the table (unrunnable in --json), with the \`oban job retry\` command that gives them an attempt.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --instance Other',
    '<%= config.bin %> <%= command.id %> --prefix jobs --json',
  ]

  static override flags = {
    instance: Flags.string({
      summary: "Only this instance's nodes in NODES; default: every instance's.",
      helpValue: 'NAME',
    }),
    wide: wideFlag,
    ...outputFlags,
  }

  async run(): Promise<QueueOverview[]> {
    const {flags} = await this.parse(QueueList)
    const db = await this.open(flags)
    const listing = await listQueues(db, flags.prefix, {instance: flags.instance})
    this.log(formatQueueList(listing, flags, this.view(flags)))
    return listing.queues
  }
}
