import {Flags} from '@oclif/core'
import {
  queueArg,
  queueTargetFlags,
  QueueSignalCommand,
  SIGNAL_NOTES,
  type SentSignal,
} from '../../src/cli/queue-signal.js'

export default class QueueStart extends QueueSignalCommand {
  static override summary = 'Start a queue on every running node, or on one node.'
  static override description = `Starts a producer for the queue with the given limit on each addressed node; a node that already runs the queue leaves it as it is. The queue runs until it is stopped or the node restarts (a restart runs the configured queues only). As Oban's start_queue.

${SIGNAL_NOTES}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> events --limit 5',
    '<%= config.bin %> <%= command.id %> reports --limit 1 --paused --node worker-2',
    '<%= config.bin %> <%= command.id %> events --limit 5 --database-url postgres://postgres@127.0.0.1:5432/app --json',
  ]

  static override args = {queue: queueArg}

  static override flags = {
    limit: Flags.integer({
      summary: 'Jobs each node runs at once (1 to 10,000).',
      required: true,
      helpValue: 'N',
    }),
    paused: Flags.boolean({summary: 'Start the queue paused (resume it with oban queue resume).'}),
    ...queueTargetFlags,
  }

  async run(): Promise<SentSignal> {
    const {args, flags} = await this.parse(QueueStart)
    return this.sendSignal('start', {...flags, queue: args.queue, paused: flags.paused || undefined}, flags)
  }
}
