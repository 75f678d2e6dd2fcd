import {IntervalService} from '../../src/plugin/interval-service.js'
import type {FollowerSkip, ServiceClock} from '../../src/plugin/maintenance.js'
import type {PluginContext} from '../../src/plugin/plugin.js'
import {span} from '../../src/telemetry/telemetry.js'
import {pruneJobs, type PrunableState, type PrunedJob} from './prune-jobs.js'

export interface PrunerOptions {
  /** Milliseconds between two runs. */
  interval: number
  /** At most this many jobs deleted per run. */
  limit: number
  /** Age in milliseconds past which finished jobs are deleted. */
  maxAge: number
  /** Per-state overrides of `maxAge` (milliseconds). */
  maxAgeByState?: Partial<Record<PrunableState, number>>
}

/** The answer of `prune` on the node that pruned. */
export interface PruneResult {
  leader: boolean
  pruned: number
  completed: number
  cancelled: number
  discarded: number
}

/**
 * Oban's Pruner: every `interval`, on the leader only, deletes up to `limit` completed, cancelled
 * and discarded jobs older than their max age (see {@link pruneJobs} for the timestamp each state
 * is aged by). Each run is a `plugin:start`/`plugin:stop` span with `{instance, plugin: 'Pruner',
 * leader}` and, on stop, Oban's `prunedCount` and `prunedJobs` (`{id, queue, state}` each); a
 * follower's run queries nothing and reports zero. A failed run is a `plugin:exception` event
 * and a warning, and the next run comes on schedule.
 *
 * Paused, no scheduled run happens until resumed; `prune()` runs at once whatever the state.
 */
export class PrunerService extends IntervalService<PrunerOptions, PrunedJob[]> {
  constructor(context: PluginContext, options: PrunerOptions, clock: ServiceClock = {}) {
    super(context, options, clock, 'pruning')
  }

  /** Prunes now (once, up to `limit`) on the leader, or anywhere with `force`; returns the counts. */
  async prune(options: {force?: boolean} = {}): Promise<PruneResult | FollowerSkip> {
    const run = await this.requested(options.force)
    if (!('result' in run)) return run
    const {leader, result: pruned} = run
    const count = (state: PrunableState) => pruned.filter((job) => job.state === state).length
    return {
      leader,
      pruned: pruned.length,
      completed: count('completed'),
      cancelled: count('cancelled'),
      discarded: count('discarded'),
    }
  }

  protected pass(leader: boolean, requested: boolean): Promise<PrunedJob[]> {
    const meta = {instance: this.conf.name, plugin: 'Pruner', leader}
    return span('plugin', meta, async () => {
      const pruned = leader || requested ? await pruneJobs(this.repo, this.pruneOptions()) : []
      return {result: pruned, metadata: {prunedCount: pruned.length, prunedJobs: pruned}}
    })
  }

  private pruneOptions() {
    const {limit, maxAge, maxAgeByState = {}} = this.options
    return {
      limit,
      maxAge: {
        completed: maxAgeByState.completed ?? maxAge,
        cancelled: maxAgeByState.cancelled ?? maxAge,
        discarded: maxAgeByState.discarded ?? maxAge,
      },
      now: this.clock.now?.(),
    }
  }
}
