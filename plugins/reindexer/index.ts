import {z} from 'zod'
import {CronExpressionError, parseCronExpression} from '../../src/cron/expression.js'
import {DEFAULT_CRON_TIMEZONE} from '../../src/cron/schedule.js'
import {definePlugin} from '../../src/plugin/define.js'
import {FORCE_ARG} from '../../src/plugin/maintenance.js'
import {timezoneOption} from '../../src/plugin/maintenance-options.js'
import {durationOption} from '../../src/plugin/options.js'
import {ReindexerService} from './reindexer-service.js'
import {describe} from '../../src/util/guards.js'

export {ReindexerService, type ReindexerOptions} from './reindexer-service.js'
export {invalidIndexes, reindexIndexes, type ReindexError, type ReindexOutcome} from './reindex-indexes.js'

/** Oban's default: the two GIN indexes, which bloat the most. */
export const DEFAULT_REINDEX_INDEXES = ['oban_jobs_args_index', 'oban_jobs_meta_index']

const INDEX_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/

const scheduleOption = z
  .string({error: (issue) => `expected a cron expression such as "@midnight", got ${describe(issue.input)}`})
  .superRefine((value, ctx) => {
    try {
      if (parseCronExpression(value).reboot)
        ctx.addIssue({code: 'custom', message: '@reboot is not a schedule: use an expression such as "@midnight"'})
    } catch (error) {
      if (!(error instanceof CronExpressionError)) throw error
      ctx.addIssue({code: 'custom', message: error.message})
    }
  })

/**
 * Oban's Reindexer (reference/oban-spec.md §4.4): on the leader, when `schedule` (default
 * `@midnight`, read in `timezone`, default Etc/UTC) matches, drops invalid `oban_jobs*` leftovers
 * and runs `REINDEX INDEX CONCURRENTLY` on `indexes` (default the args and meta GIN indexes),
 * each statement limited to `timeout` (default 15s, Oban's: raise it for big tables).
 *
 * ```ts
 * plugins: [[Reindexer, {schedule: '0 3 * * SUN', timeout: '10m'}]]
 * await Reindexer.reindex()         // -> {leader: true, dropped: [], reindexed: [...], errors: []}
 * ```
 */
export const Reindexer = definePlugin({
  name: 'Reindexer',
  description: 'Rebuilds bloated indexes concurrently on a schedule (leader only)',
  leaderOnly: true,
  options: z.strictObject({
    schedule: scheduleOption.default('@midnight'),
    timezone: timezoneOption().default(DEFAULT_CRON_TIMEZONE),
    indexes: z
      .array(z.string().regex(INDEX_NAME, 'expected an index name (letters, digits, _ and $, at most 63 characters)'), {
        error: (issue) => `expected a list of index names, got ${describe(issue.input)}`,
      })
      .default(() => [...DEFAULT_REINDEX_INDEXES]),
    timeout: durationOption({default: '15s', min: '100ms'}),
  }),
  create: (context, options) => new ReindexerService(context, options),
  functions: (fn) => ({
    reindex: fn({
      description: 'Drop invalid leftovers and rebuild the indexes now (may outlast the call timeout)',
      args: [FORCE_ARG],
      run: (service, {force}) => service.reindex({force: force === true}),
    }),
    next: fn({
      description: 'When the schedule fires next (UTC)',
      run: (service) => ({nextAt: service.nextAt()}),
    }),
  }),
})
