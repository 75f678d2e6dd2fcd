import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {dataDirFlag, instanceFlag} from '../src/cli/flags.js'
import {isInteractive, wantsColor} from '../src/cli/terminal.js'
import type {BreakdownJson} from '../src/cli/breakdown/model.js'

export default class Breakdown extends BaseCommand {
  static override summary = 'Show the live table of jobs by queue and state (the Breakdown plugin).'
  static override description = `Runs the Breakdown plugin on its own (an instance that runs no queues and never leads) and shows its counts: a live table in a terminal (q quits, p pauses and resumes, r refreshes now), a plain table per refresh when piped or under CI, NDJSON with --json. Counts of big completed, discarded or cancelled states may be estimates, marked ~.

Like any node of the instance, it hears \`oban plugin pause Breakdown --instance NAME\`.`

  static override enableJsonFlag = true

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --interval 2s --queue default --queue events',
    '<%= config.bin %> <%= command.id %> --once --pivot',
    '<%= config.bin %> <%= command.id %> --once --json',
    '<%= config.bin %> <%= command.id %> --json > breakdown.ndjson',
  ]

  static override flags = {
    interval: Flags.string({
      summary: 'Time between two counts: 500ms, 10s, 1m, or milliseconds (100ms to 24.8 days).',
      helpValue: 'DURATION',
      defaultHelp: async () => '10s',
    }),
    instance: instanceFlag,
    queue: Flags.string({summary: 'Only this queue (repeatable).', helpValue: 'QUEUE', multiple: true}),
    once: Flags.boolean({summary: 'Count once, print one table (or one JSON object) and exit.'}),
    pivot: Flags.boolean({summary: 'One row per queue and a column per state.'}),
    zeros: Flags.boolean({summary: 'List every state of every queue, zeros included.'}),
    color: Flags.boolean({
      summary: 'Colour states (default: on a colour terminal, unless NO_COLOR is set).',
      allowNo: true,
    }),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<BreakdownJson | undefined> {
    const {flags} = await this.parse(Breakdown)
    // Loaded here, not at the top: the instance and (in a terminal) Ink are heavy, and every
    // other command would pay for them at start-up (reference/stack-and-style.md §1.8).
    const {runBreakdown} = await import('../src/cli/breakdown/run.js')
    const {Breakdown: plugin} = await import('../plugins/index.js')
    const json = this.jsonEnabled()
    return runBreakdown({
      plugin,
      interval: flags.interval,
      instance: flags.instance,
      queues: flags.queue,
      once: flags.once,
      json,
      pivot: flags.pivot,
      zeros: flags.zeros,
      color: !json && wantsColor(flags.color),
      interactive: !json && isInteractive(),
      databaseUrl: flags['database-url'],
      prefix: flags.prefix,
      dataDir: flags['data-dir'],
      write: (text) => void process.stdout.write(`${text}\n`),
    })
  }
}
