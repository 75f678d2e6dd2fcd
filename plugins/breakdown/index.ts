import {z} from 'zod'
import {definePlugin} from '../../src/plugin/define.js'
import {durationOption} from '../../src/plugin/options.js'
import {BreakdownService} from './breakdown-service.js'

export {BreakdownService, type BreakdownOptions, type BreakdownSnapshot} from './breakdown-service.js'
export {fetchBreakdown, type BreakdownRow} from './fetch-breakdown.js'
export type {BreakdownCount} from './count-breakdown.js'

/**
 * The Breakdown of Oban's plugin guide: counts of jobs by queue and state, every `interval`
 * (default 10s, at least 100ms), published as telemetry `breakdown:update`.
 *
 * ```ts
 * plugins: [[Breakdown, {interval: '5s'}]]   // or ["Breakdown", {"interval": "5s"}] in JSON
 * await Breakdown.pause()                    // instance Oban in this process
 * await Breakdown.refresh('Other')           // -> [{queue, state, count}, ...]
 * ```
 */
export const Breakdown = definePlugin({
  name: 'Breakdown',
  description: 'Counts jobs by queue and state every interval',
  options: z.strictObject({interval: durationOption({default: '10s', min: '100ms'})}),
  create: (context, options) => new BreakdownService(context, options),
  functions: (fn) => ({
    pause: fn({
      description: 'Stop counting until resumed (no queries while paused)',
      run: (service) => {
        service.pause()
        return {status: service.status()}
      },
    }),
    resume: fn({
      description: 'Count now, then every interval again',
      run: (service) => {
        service.resume()
        return {status: service.status()}
      },
    }),
    refresh: fn({
      description: 'Count jobs by queue and state now and return the rows',
      run: (service) => service.refresh(),
    }),
    last: fn({
      description: 'The last breakdown (time and rows) without querying; null before the first',
      run: (service) => {
        const last = service.last
        return last ? {time: last.time.toISOString(), rows: last.rows} : null
      },
    }),
  }),
})
