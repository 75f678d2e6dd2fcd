import type {Queryable} from '../db/pool.js'
import {recordSonarPings, type HeardPing} from '../engine/sonar-record.js'
import {pruneSonarNodes} from '../engine/sonar-prune.js'
import {createSonarTable} from '../engine/sonar-table.js'
import {coerceError} from '../errors.js'
import type {Sonar} from '../notifier/sonar.js'
import type {Logger} from '../telemetry/logger.js'

export interface SonarRecorderOptions {
  db: Queryable
  prefix: string
  /** This node's name: its own pings are recorded as `oban-ts`. */
  node: string
  sonar: Sonar
  logger: Logger
  /** How often pings heard since the last write are written (ms, default 5 000). */
  interval?: number
  /** Delay before writing a node not written yet by this process (ms, default 100). */
  newNodeDelay?: number
  /** Rows not heard for this long are deleted (ms, default 1 h). */
  keepFor?: number
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number
}

// Pruning is cheap but pointless more often than this.
const PRUNE_EVERY_MS = 60_000

/**
 * Writes the nodes this node hears on `<prefix>.oban_sonar` to `<prefix>.oban_ts_sonar`, so
 * that one-shot commands see every live Oban node, Elixir ones included (they write no presence
 * row). Pings heard since the last write are written every `interval`; a node this process has
 * not written yet is written within `newNodeDelay`, so a new node shows up at once. Every oban-ts
 * node writes (the statement keeps the latest `seen_at`), so the record survives any one of them.
 *
 * Failures never stop the instance: they are logged once per outage and retried.
 */
export class SonarRecorder {
  private readonly pending = new Map<string, number>()
  private readonly written = new Set<string>()
  private unsubscribe: (() => void) | undefined
  private timer: NodeJS.Timeout | undefined
  private soon: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()
  private tableReady = false
  private failing = false
  private stopped = false
  private prunedAt = -Infinity

  constructor(private readonly options: SonarRecorderOptions) {}

  start(): void {
    if (this.unsubscribe || this.stopped) return
    this.unsubscribe = this.options.sonar.onHeard((node) => this.heard(node))
    this.schedule()
  }

  /** Stops listening and writing; waits for a write in progress. Idempotent; never rejects. */
  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    this.unsubscribe = undefined
    clearTimeout(this.timer)
    clearTimeout(this.soon)
    await this.writing
  }

  /** Writes what was heard now; resolves when written (or failed, which is logged). */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write())
    return this.writing
  }

  private clock(): number {
    return (this.options.now ?? (() => performance.now()))()
  }

  private heard(node: string): void {
    if (this.stopped) return
    this.pending.set(node, this.clock())
    if (!this.written.has(node) && !this.soon)
      this.soon = setTimeout(() => {
        this.soon = undefined
        void this.flush()
      }, this.options.newNodeDelay ?? 100)
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      void this.flush().finally(() => this.schedule())
    }, this.options.interval ?? 5_000)
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return
    const {db, prefix, node, logger} = this.options
    const now = this.clock()
    const pings: HeardPing[] = [...this.pending].map(([name, at]) => ({
      node: name,
      agoMs: now - at,
      ...(name === node ? {runtime: 'oban-ts' as const} : {}),
    }))
    this.pending.clear()
    try {
      if (!this.tableReady) {
        await createSonarTable(db, prefix)
        this.tableReady = true
      }
      await recordSonarPings(db, prefix, pings)
      for (const ping of pings) this.written.add(ping.node)
      if (now - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = now
        await pruneSonarNodes(db, prefix, this.options.keepFor ?? 3_600_000)
      }
      this.failing = false
    } catch (error) {
      // Heard again later; only the newest time of each node matters.
      for (const ping of pings) if (!this.pending.has(ping.node)) this.pending.set(ping.node, now - ping.agoMs)
      if (!this.failing)
        logger.warn(
          `sonar: could not record the nodes heard in ${prefix}.oban_ts_sonar (oban status will not list Elixir nodes until it works): ${coerceError(error).message}`,
        )
      this.failing = true
    }
  }
}
