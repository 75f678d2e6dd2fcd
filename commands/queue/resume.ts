import {Args, Flags} from '@oclif/core'
import {
  queueOrAll,
  queueTargetFlags,
  QueueSignalCommand,
  SIGNAL_NOTES,
  type SentSignal,
} from '../../src/cli/queue-signal.js'

export default class QueueResume extends QueueSignalCommand {
  static override summary = 'Resume a paused queue (or every queue) on every node, or on one node.'
  static override description = `Resumed producers fetch available jobs again at once, up to their limit. As Oban's resume_queue, or resume_all_queues with --all.

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
    all: Flags.boolean({summary: 'Resume every queue (Oban\'s "*") instead of one.'}),
    ...queueTargetFlags,
  }

  async run(): Promise<SentSignal> {
    const {args, flags} = await this.parse(QueueResume)
    return this.sendSignal('resume', {...flags, queue: queueOrAll(args.queue, flags.all)}, flags)
  }
}
