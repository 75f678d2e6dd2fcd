import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {cronNextRuns, formatNextRuns, MAX_NEXT_RUNS, type NextRuns} from '../../src/cli/cron-next.js'

export default class CronNext extends BaseCommand {
  static override summary = 'Show when a cron expression fires next, without a database.'
  static override description = `Parses EXPRESSION with Oban's rules (five fields: minute hour day month weekday; *, N, A-B, */S, A-B/S, A/S and lists; JAN-DEC and SUN-SAT in upper case; @yearly, @monthly, @weekly, @daily, @midnight, @hourly, @reboot) and lists its next runs in --timezone, exactly as the Cron plugin evaluates them: day of month AND day of week must both match, a local time skipped by a DST change never fires, and one repeated by a DST change fires twice. Each line shows the local time with its offset, then the UTC instant. An invalid expression is one line with the reason, exit 2.`

  static override examples = [
    "<%= config.bin %> <%= command.id %> '0 9 * * MON-FRI' --timezone Europe/Paris --count 5",
    "<%= config.bin %> <%= command.id %> '30 2 * * *' --timezone Europe/Paris --from 2024-10-26T00:00:00Z --count 3",
    "<%= config.bin %> <%= command.id %> '0 0 29 2 *' --count 2 --json",
  ]

  static override enableJsonFlag = true
  // No database: the base flags (--database-url, --prefix) are accepted but hidden from help.
  static override baseFlags: typeof BaseCommand.baseFlags = {
    'database-url': {...BaseCommand.baseFlags['database-url'], hidden: true},
    prefix: {...BaseCommand.baseFlags.prefix, hidden: true},
  }

  static override args = {
    expression: Args.string({description: 'A cron expression, quoted, e.g. "0 9 * * MON-FRI".', required: true}),
  }

  static override flags = {
    timezone: Flags.string({
      char: 'z',
      summary: 'IANA timezone the expression is read in.',
      default: 'Etc/UTC',
      helpValue: 'ZONE',
    }),
    count: Flags.integer({
      char: 'n',
      summary: `How many runs to list (1 to ${MAX_NEXT_RUNS}).`,
      default: 5,
      min: 1,
      max: MAX_NEXT_RUNS,
    }),
    from: Flags.string({summary: 'List runs after this instant (ISO 8601, default now).', helpValue: 'TIME'}),
  }

  async run(): Promise<NextRuns> {
    const {args, flags} = await this.parse(CronNext)
    const result = cronNextRuns(args.expression, flags)
    for (const line of formatNextRuns(result)) this.log(line)
    return result
  }
}
