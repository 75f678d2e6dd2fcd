import {z} from 'zod'
import {definePlugin} from '../../src/plugin/define.js'
import {FORCE_ARG} from '../../src/plugin/maintenance.js'
import {countOption} from '../../src/plugin/maintenance-options.js'
import {durationOption} from '../../src/plugin/options.js'
import {MAX_AGE_MS, MAX_BATCH} from '../../src/util/limits.js'
import {PrunerService} from './pruner-service.js'

export {PrunerService, type PruneResult, type PrunerOptions} from './pruner-service.js'
export {pruneJobs, type PrunableState, type PrunedJob, type PruneJobsOptions} from './prune-jobs.js'

/**
 * Oban's Pruner (reference/oban-spec.md §4.2): on the leader, every `interval` (default 30s),
 * deletes up to `limit` (default 10,000) completed, cancelled and discarded jobs older than
 * `maxAge` (default 60s, Oban's; Oban's install guide recommends a day). `maxAgeByState`
 * overrides the age per state, which Oban keeps for Pro: `{discarded: '30d'}`.
 *
 * ```ts
 * plugins: [[Pruner, {maxAge: '7d', maxAgeByState: {discarded: '30d'}}]]
 * await Pruner.prune()              // -> {leader: true, pruned: 120, completed: 118, ...}
 * ```
 */
export const Pruner = definePlugin({
  name: 'Pruner',
  description: 'Deletes old completed, cancelled and discarded jobs (leader only)',
  leaderOnly: true,
  options: z.strictObject({
    interval: durationOption({default: '30s', min: '100ms'}),
    limit: countOption({default: 10_000, max: MAX_BATCH}),
    maxAge: durationOption({default: '60s', min: '1s', max: MAX_AGE_MS}),
    maxAgeByState: z
      .strictObject({
        completed: durationOption({min: '1s', max: MAX_AGE_MS}).optional(),
        cancelled: durationOption({min: '1s', max: MAX_AGE_MS}).optional(),
        discarded: durationOption({min: '1s', max: MAX_AGE_MS}).optional(),
      })
      .optional(),
  }),
  create: (context, options) => new PrunerService(context, options),
  functions: (fn) => ({
    prune: fn({
      description: 'Delete old finished jobs now (up to limit) and return how many, by state',
      args: [FORCE_ARG],
      run: (service, {force}) => service.prune({force: force === true}),
    }),
    pause: fn({
      description: 'Stop pruning on schedule until resumed',
      run: (service) => {
        service.pause()
        return {status: service.status()}
      },
    }),
    resume: fn({
      description: 'Prune on schedule again, the next run one interval from now',
      run: (service) => {
        service.resume()
        return {status: service.status()}
      },
    }),
  }),
})
