import {z} from 'zod'
import {DEFAULT_CRON_TIMEZONE} from '../../src/cron/schedule.js'
import {definePlugin} from '../../src/plugin/define.js'
import {FORCE_ARG} from '../../src/plugin/maintenance.js'
import {timezoneOption} from '../../src/plugin/maintenance-options.js'
import {CronService} from './cron-service.js'
import {crontabOption} from './crontab.js'

export {CronService, UnknownCronEntryError, type CronEntryReport, type CronOptions} from './cron-service.js'
export {
  crontabOption,
  parseEntry,
  type CrontabEntry,
  type CrontabInput,
  type CronEntryOptions,
  type CronJobOptions,
} from './crontab.js'
export {cronAt, insertCronJob, type CronGuard, type CronInsert} from './insert-cron-job.js'
// The expression tools, for checking a crontab in code as `oban cron next` does on the command line.
export {
  CronExpressionError,
  isCronExpression,
  parseCronExpression,
  type CronExpression,
} from '../../src/cron/expression.js'
export {CronSchedule, CronTimezoneError, DEFAULT_CRON_TIMEZONE, isTimezone} from '../../src/cron/schedule.js'
export {nextRuns, type NextRuns} from '../../src/cron/next-runs.js'

/**
 * Oban's Cron (reference/oban-spec.md §4.5): inserts jobs on a schedule, on the leader, at most
 * once per entry and minute across nodes. Entries are Oban's tuples or objects; expressions are
 * checked when the config is (an invalid one is refused with the reason); `timezone` (default
 * Etc/UTC) is an IANA name, and an entry may name its own.
 *
 * ```ts
 * plugins: [[Cron, {timezone: 'Europe/Paris', crontab: [
 *   ['0 9 * * MON-FRI', 'MyApp.Report', {args: {kind: 'daily'}, queue: 'reports', name: 'weekday-report'}],
 *   ['@reboot', 'MyApp.Warmup'],
 * ]}]]
 * await Cron.entries()                       // -> [{name, expression, worker, nextAt, ...}]
 * await Cron.run('Oban', {name: 'weekday-report'})
 * ```
 */
export const Cron = definePlugin({
  name: 'Cron',
  description: 'Inserts jobs on cron schedules (leader only, once per entry and minute)',
  leaderOnly: true,
  options: z.strictObject({
    crontab: crontabOption,
    timezone: timezoneOption().default(DEFAULT_CRON_TIMEZONE),
  }),
  create: (context, options) => new CronService(context, options),
  functions: (fn) => ({
    entries: fn({
      description: 'The crontab: each entry with its name, worker, timezone and next run',
      run: (service) => service.entries(),
    }),
    run: fn({
      description: "Insert one entry's job now (by entry name, or worker name if unambiguous)",
      args: [
        {name: 'name', description: 'The entry name (see entries) or its worker', type: 'string', required: true},
        FORCE_ARG,
      ],
      run: (service, {name, force}) => service.runEntry(name, {force: force === true}),
    }),
  }),
})
