import type {Config} from '../config/config.js'
import {coerceError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import type {PluginFunctionArg} from './plugin.js'

/**
 * What the leader-only maintenance plugins (Pruner, Lifeline, Cron, Reindexer) share.
 *
 * Their scheduled work runs only on the leader, as Oban's. Their interface functions (`prune`,
 * `rescue`, `run`, `reindex`) also act only on the leader unless called with `force`: `oban
 * plugin prune Pruner` reaches every live node of the instance, and one node must do the work
 * once (a cron job must not be inserted by each node). A follower answers with a
 * {@link FollowerSkip} instead. `force` is for a node that cannot lead (an Elixir node leads the
 * instance, or `peer: false`): address it with `--node`.
 */

/** What a maintenance service may be given besides its options: a clock, for tests. */
export interface ServiceClock {
  /** The time ages and schedules are measured against (default: the database's or the system's). */
  now?: () => Date
}

/** The `force` argument of every maintenance function. */
export const FORCE_ARG = {
  name: 'force',
  description: 'Act even if this node does not lead the instance (the leader alone acts otherwise)',
  type: 'boolean',
} as const satisfies PluginFunctionArg

/** A function's answer on a follower. */
export interface FollowerSkip {
  leader: false
  skipped: string
}

/** The answer of a follower that was not forced. */
export function followerSkip(conf: Pick<Config, 'name' | 'node'>): FollowerSkip {
  return {
    leader: false,
    skipped: `${conf.node} does not lead ${conf.name}; the leader acts (pass force to act on this node)`,
  }
}

/** Runs tasks one at a time, in call order: a requested run never overlaps a scheduled one. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task)
    this.tail = result.catch(() => undefined)
    return result
  }
}

/**
 * Logs failures of scheduled runs once per outage (a warning) and the recovery (info), so that a
 * database outage does not print a line every interval. The runs themselves go on: a failure is a
 * `plugin:exception` event and a log line, never a crash (Oban's `on_exhausted: :log`).
 */
export class FailureLog {
  private failing = false

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  failed(error: unknown): void {
    if (!this.failing) this.logger.warn(`${this.what} failed (retrying on schedule): ${coerceError(error).message}`)
    this.failing = true
  }

  succeeded(): void {
    if (this.failing) this.logger.info(`${this.what} works again`)
    this.failing = false
  }
}
