import {Args, Flags} from '@oclif/core'
import {
  queueOrAll,
  queueTargetFlags,
  QueueSignalCommand,
  SIGNAL_NOTES,
  type SentSignal,
} from '../../src/cli/queue-signal.js'

export default class QueuePause extends QueueSignalCommand {
  static override summary = 'Pause a queue (or every queue) on every node, or on one node.'
  static override description = `Paused producers fetch no new jobs; jobs already running finish. Jobs inserted meanwhile stay available until the queue is resumed (oban queue resume). As Oban's pause_queue, or pause_all_queues with --all.

${SIGNAL_NOTES}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> default',
    '<%= config.bin %> <%= command.id %> --all --node web-1',
    '<%= config.bin %> <%= command.id %> events --node worker-2 --instance MyApp.Oban --database-url postgres://postgres@127.0.0.1:5432/app --json',
  ]

  static override args = {
    queue: Args.string({description: 'Name of the queue, e.g. default (or --all).'}),
  }

  static override flags = {
    all: Flags.boolean({summary: 'Pause every queue (Oban\'s "*") instead of one.'}),
    ...queueTargetFlags,
  }

  async run(): Promise<SentSignal> {
    const {args, flags} = await this.parse(QueuePause)
    return this.sendSignal('pause', {...flags, queue: queueOrAll(args.queue, flags.all)}, flags)
  }
}
