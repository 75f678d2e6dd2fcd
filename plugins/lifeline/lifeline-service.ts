import {IntervalService} from '../../src/plugin/interval-service.js'
import type {JobId} from '../../src/job/job-id.js'
import type {FollowerSkip, ServiceClock} from '../../src/plugin/maintenance.js'
import type {PluginContext} from '../../src/plugin/plugin.js'
import {span} from '../../src/telemetry/telemetry.js'
import {rescueJobs, type RescuedJob} from './rescue-jobs.js'

export interface LifelineOptions {
  /** Milliseconds between two runs. */
  interval: number
  /** Milliseconds a job may stay executing before it counts as stuck. */
  rescueAfter: number
  /** Spare jobs of nodes alive in the presence table (default true). */
  presence: boolean
}

/** The answer of `rescue` on the node that rescued: the ids moved to each state. */
export interface RescueResult {
  leader: boolean
  /** Job ids, as their exact digits (src/job/job-id.ts). */
  rescued: JobId[]
  discarded: JobId[]
}

/**
 * Oban's Lifeline: every `interval`, on the leader only, moves jobs stuck `executing` for longer
 * than `rescueAfter` back to `available`, or to `discarded` when they have no attempts left,
 * sparing jobs whose node is alive (see {@link rescueJobs}). Each run is a `plugin` span with
 * `{instance, plugin: 'Lifeline', leader}` and, on stop, Oban's `rescuedJobs` and
 * `discardedJobs` (`{id, queue, state}` each); a follower's run queries nothing. A failed run is
 * a `plugin:exception` event and a warning; the next run comes on schedule.
 *
 * Paused, no scheduled run happens until resumed; `rescue()` runs at once whatever the state.
 */
export class LifelineService extends IntervalService<LifelineOptions, RescuedJob[]> {
  constructor(context: PluginContext, options: LifelineOptions, clock: ServiceClock = {}) {
    super(context, options, clock, 'rescuing stuck jobs')
  }

  /** Rescues now on the leader, or anywhere with `force`; returns the ids made available and discarded. */
  async rescue(options: {force?: boolean} = {}): Promise<RescueResult | FollowerSkip> {
    const run = await this.requested(options.force)
    if (!('result' in run)) return run
    const {leader, result: moved} = run
    return {
      leader,
      rescued: moved.filter((job) => job.state === 'available').map((job) => job.id),
      discarded: moved.filter((job) => job.state === 'discarded').map((job) => job.id),
    }
  }

  protected pass(leader: boolean, requested: boolean): Promise<RescuedJob[]> {
    const meta = {instance: this.conf.name, plugin: 'Lifeline', leader}
    return span('plugin', meta, async () => {
      const moved =
        leader || requested
          ? await rescueJobs(this.repo, {
              rescueAfter: this.options.rescueAfter,
              now: this.clock.now?.(),
              presence: this.options.presence,
            })
          : []
      const rescuedJobs = moved.filter((job) => job.state === 'available')
      const discardedJobs = moved.filter((job) => job.state === 'discarded')
      if (moved.length > 0)
        this.logger.info(
          `rescued ${rescuedJobs.length} stuck job(s) [${ids(rescuedJobs)}], discarded ${discardedJobs.length} [${ids(discardedJobs)}]`,
        )
      return {result: moved, metadata: {rescuedJobs, discardedJobs}}
    })
  }
}

function ids(jobs: readonly RescuedJob[]): string {
  return jobs.map((job) => job.id).join(', ')
}
