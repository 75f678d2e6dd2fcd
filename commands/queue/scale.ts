import {Flags} from '@oclif/core'
import {
  queueArg,
  queueTargetFlags,
  QueueSignalCommand,
  SIGNAL_NOTES,
  type SentSignal,
} from '../../src/cli/queue-signal.js'

export default class QueueScale extends QueueSignalCommand {
  static override summary = 'Change how many jobs of a queue each node runs at once.'
  static override description = `Sets the queue's limit (jobs running at once, per node) on every node that runs the queue, or on one node. Raising it fetches more jobs at once; lowering it lets running jobs finish and fetches again only below the new limit. As Oban's scale_queue.

${SIGNAL_NOTES}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> default --limit 20',
    '<%= config.bin %> <%= command.id %> events --limit 2 --node web-1',
    '<%= config.bin %> <%= command.id %> default --limit 50 --database-url postgres://postgres@127.0.0.1:5432/app --json',
  ]

  static override args = {queue: queueArg}

  static override flags = {
    limit: Flags.integer({
      summary: 'New limit: jobs each node runs at once (1 to 10,000).',
      required: true,
      helpValue: 'N',
    }),
    ...queueTargetFlags,
  }

  async run(): Promise<SentSignal> {
    const {args, flags} = await this.parse(QueueScale)
    return this.sendSignal('scale', {...flags, queue: args.queue}, flags)
  }
}
