import {
  queueArg,
  queueTargetFlags,
  QueueSignalCommand,
  SIGNAL_NOTES,
  type SentSignal,
} from '../../src/cli/queue-signal.js'

export default class QueueStop extends QueueSignalCommand {
  static override summary = 'Stop a queue on every node, or on one node.'
  static override description = `Each addressed node stops fetching jobs for the queue, lets its running jobs finish within the shutdown grace period and removes the producer; jobs still running after it stay executing until rescued. Jobs of the queue stay available for nodes that still run it. A restarted node runs its configured queues again. As Oban's stop_queue.

${SIGNAL_NOTES}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> events',
    '<%= config.bin %> <%= command.id %> events --node worker-2',
    '<%= config.bin %> <%= command.id %> events --database-url postgres://postgres@127.0.0.1:5432/app --json',
  ]

  static override args = {queue: queueArg}

  static override flags = {...queueTargetFlags}

  async run(): Promise<SentSignal> {
    const {args, flags} = await this.parse(QueueStop)
    return this.sendSignal('stop', {...flags, queue: args.queue}, flags)
  }
}
