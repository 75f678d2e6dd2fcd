import {DatabaseCommand, outputFlags} from '../../src/cli/database-command.js'
import {formatQueues} from '../../src/cli/format-ops.js'
import {queueOverview, type QueueOverview} from '../../src/jobs/queue-overview.js'

export default class QueueList extends DatabaseCommand {
  static override summary = 'List queues with their available, scheduled, executing and retryable jobs, and latency.'
  static override description = `Counted from oban_jobs, so it covers every node sharing the database (Elixir and Python Oban included) and shows a queue as soon as it has unfinished jobs, whether or not a node runs it. The latency is how long the oldest available job has waited since it became runnable: a growing latency means the queue is paused, stopped, or short of capacity.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --prefix jobs --json',
  ]

  static override flags = {...outputFlags}

  async run(): Promise<QueueOverview[]> {
    const {flags} = await this.parse(QueueList)
    const pool = await this.connect(flags)
    const queues = await queueOverview(pool, flags.prefix)
    const schema = flags.prefix === 'public' ? '' : ` in schema ${flags.prefix}`
    if (queues.length === 0) this.log(`No queue has available, scheduled, executing or retryable jobs${schema}.`)
    else this.log(formatQueues(queues, this.view(flags)))
    return queues
  }
}
