import {z} from 'zod'
import {definePlugin} from '../../src/plugin/define.js'
import {FORCE_ARG} from '../../src/plugin/maintenance.js'
import {durationOption} from '../../src/plugin/options.js'
import {MAX_AGE_MS} from '../../src/util/limits.js'
import {LifelineService} from './lifeline-service.js'

export {LifelineService, type LifelineOptions, type RescueResult} from './lifeline-service.js'
export {rescueJobs, type RescuedJob, type RescueJobsOptions} from './rescue-jobs.js'

/**
 * Oban's Lifeline (reference/oban-spec.md §4.3): on the leader, every `interval` (default 1m),
 * rescues jobs stuck `executing` for longer than `rescueAfter` (default 60m): back to
 * `available`, or `discarded` when out of attempts. Unlike Oban's, it spares a job while the
 * oban-ts node running it is alive in the presence table (`presence: false` turns that off); jobs
 * of Elixir nodes are rescued on time alone, as Oban does.
 *
 * ```ts
 * plugins: [[Lifeline, {rescueAfter: '30m'}]]
 * await Lifeline.rescue()           // -> {leader: true, rescued: ['41', '42'], discarded: ['7']}
 * ```
 */
export const Lifeline = definePlugin({
  name: 'Lifeline',
  description: 'Rescues jobs stuck executing on dead nodes (leader only)',
  leaderOnly: true,
  options: z.strictObject({
    interval: durationOption({default: '1m', min: '100ms'}),
    rescueAfter: durationOption({default: '60m', min: '1s', max: MAX_AGE_MS}),
    presence: z.boolean({error: 'expected true or false'}).default(true),
  }),
  create: (context, options) => new LifelineService(context, options),
  functions: (fn) => ({
    rescue: fn({
      description: 'Rescue stuck executing jobs now; returns the ids made available and discarded',
      args: [FORCE_ARG],
      run: (service, {force}) => service.rescue({force: force === true}),
    }),
    pause: fn({
      description: 'Stop rescuing on schedule until resumed',
      run: (service) => {
        service.pause()
        return {status: service.status()}
      },
    }),
    resume: fn({
      description: 'Rescue on schedule again, the next run one interval from now',
      run: (service) => {
        service.resume()
        return {status: service.status()}
      },
    }),
  }),
})
