import type {Queryable} from '../db/pool.js'
import {coerceError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import {describeLeaderConflict, findLeaderConflicts, type LeaderConflict} from './leader-conflicts.js'

export interface LeaderConflictWatchOptions {
  db: Queryable
  prefix: string
  logger: Logger
  /** Time between two checks (ms, default 30 s, Oban's election interval); the first runs at start. */
  interval?: number
}

/**
 * Warns in the node's log when a Python Oban leader (oban_leaders) and an oban_peers leader hold
 * office at once (see leader-conflicts.ts): once when it appears, an info line when it ends, and
 * a warning again if it comes back. A failed check is logged at debug level and retried: the
 * watch is advice, not a service the node depends on.
 */
export class LeaderConflictWatch {
  private timer: NodeJS.Timeout | undefined
  private checking: Promise<void> = Promise.resolve()
  private reported: string | undefined
  private stopped = false

  constructor(private readonly options: LeaderConflictWatchOptions) {}

  start(): void {
    if (this.stopped || this.timer) return
    void this.check().finally(() => this.schedule())
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.checking
  }

  /** Checks now; resolves when done. Never rejects. */
  check(): Promise<void> {
    this.checking = this.checking.then(() => this.run())
    return this.checking
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      void this.check().finally(() => this.schedule())
    }, this.options.interval ?? 30_000)
  }

  private async run(): Promise<void> {
    if (this.stopped) return
    const {db, prefix, logger} = this.options
    let conflicts: LeaderConflict[]
    try {
      conflicts = await findLeaderConflicts(db, prefix)
    } catch (error) {
      logger.debug(`leader check: could not read oban_leaders and oban_peers: ${coerceError(error).message}`)
      return
    }
    // The same pair of leaders is reported once; a new pair (another node took over) again.
    const key = conflicts.map((c) => `${c.python.instance}\u0000${c.python.node}`).join('\u0001')
    if (conflicts.length === 0) {
      if (this.reported !== undefined)
        logger.info('leader check: only one leader again (no Python Oban leader in oban_leaders)')
      this.reported = undefined
      return
    }
    if (key === this.reported) return
    this.reported = key
    for (const conflict of conflicts) logger.warn(describeLeaderConflict(conflict))
  }
}
