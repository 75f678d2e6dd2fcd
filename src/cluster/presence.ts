import {hostname} from 'node:os'
import type {Queryable} from '../db/pool.js'
import {deletePresence} from '../engine/presence-delete.js'
import {pruneExpiredPresence} from '../engine/presence-prune.js'
import {createPresenceTable} from '../engine/presence-table.js'
import {upsertPresence} from '../engine/presence-upsert.js'
import {coerceError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import type {NodeSnapshot} from './presence-record.js'

export interface PresenceOptions {
  db: Queryable
  prefix: string
  instance: string
  node: string
  logger: Logger
  /**
   * When the node started (default: now). Lifeline spares executing jobs of live nodes whose row
   * started no later than the job was attempted, so this must not be later than the first fetch.
   */
  startedAt?: Date
  /** What the node runs now; called on every write. */
  snapshot(): NodeSnapshot
  /** Time between two writes (ms, default 10 s). */
  interval?: number
  /** How long a row stays live without a write (ms, default 30 s: three missed writes). */
  ttl?: number
  /** Coalescing delay of {@link Presence.touch} (ms, default 50). */
  touchDelay?: number
  /**
   * How often the snapshot is compared with the last one written (ms, default 1 000): a change of
   * a plugin's status, a queue's limit or pause, or leadership is written at the next check,
   * whoever made it (a remote call, an in-process helper, a queue signal, the plugin itself).
   */
  watchInterval?: number
}

/** A node's row is rewritten this often... */
export const PRESENCE_INTERVAL_MS = 10_000
/** ...and counts as gone this long after the last write (three missed writes). */
export const PRESENCE_TTL_MS = 30_000
// Rows of crashed nodes are deleted once they have been expired this long; until then a reader
// already ignores them, so the delay only keeps recently crashed nodes visible to a debugging eye.
const PRUNE_GRACE_MS = 60_000

/**
 * Keeps this node's row in the presence table (`<prefix>.oban_ts_nodes`) while the instance
 * runs, so that other processes (`oban plugin ...`) know which nodes of an instance are alive
 * and what they run. It creates the table if needed, writes the row at start and then every
 * `interval`, rewrites it soon after {@link Presence.touch} or when its periodic comparison finds
 * the node's state changed (a plugin paused or failed, a queue paused or scaled), and
 * deletes it on a graceful stop; a node that dies silently expires after `ttl`.
 *
 * Failures never stop the instance: they are logged (once per outage) and retried at the next
 * interval, and the node is then simply invisible to the CLI.
 */
export class Presence {
  private readonly interval: number
  private readonly ttl: number
  private readonly startedAt: Date
  private readonly pid = process.pid
  private readonly hostname = hostname()
  private timer: NodeJS.Timeout | undefined
  private touchTimer: NodeJS.Timeout | undefined
  private watchTimer: NodeJS.Timeout | undefined
  /** What the last successful write said, minus what changes all the time (running jobs). */
  private written: string | undefined
  private writing: Promise<void> | undefined
  private queued: Promise<void> | undefined
  private stopped = false
  private tableReady = false
  private failing = false
  private warnedConflict = false

  constructor(private readonly options: PresenceOptions) {
    this.startedAt = options.startedAt ?? new Date()
    this.interval = options.interval ?? PRESENCE_INTERVAL_MS
    this.ttl = options.ttl ?? PRESENCE_TTL_MS
  }

  /** Writes the first row (never rejects), then keeps it fresh. */
  async start(): Promise<void> {
    if (this.stopped || this.timer) return
    await this.refresh()
    this.schedule()
    this.watch()
  }

  /**
   * Asks for a write soon: several touches within `touchDelay` make one write. Use it when
   * something in the snapshot changed (a plugin restarted, failed, was paused).
   */
  touch(): void {
    if (this.stopped || this.touchTimer) return
    this.touchTimer = setTimeout(() => {
      this.touchTimer = undefined
      void this.refresh()
    }, this.options.touchDelay ?? 50)
  }

  /**
   * Writes the row now and resolves once it is written (or the write failed, which is logged;
   * never rejects). A write in progress is followed by one more, so the row reflects the state at
   * the time of the call.
   */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    // A write queued behind the current one will read the state late enough: join it.
    if (this.queued) return this.queued
    if (!this.writing) {
      this.writing = this.write().finally(() => {
        this.writing = undefined
      })
      return this.writing
    }
    this.queued = this.writing.then(() => {
      this.queued = undefined
      return this.refresh()
    })
    return this.queued
  }

  /** Stops refreshing and deletes the row (if this process still owns it). Idempotent; never rejects. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.timer)
    clearTimeout(this.touchTimer)
    clearTimeout(this.watchTimer)
    this.timer = this.touchTimer = this.watchTimer = undefined
    await (this.queued ?? this.writing)
    if (!this.tableReady) return
    const {db, prefix, instance, node, logger} = this.options
    try {
      await deletePresence(db, prefix, {instance, node, pid: this.pid, hostname: this.hostname})
    } catch (error) {
      logger.warn(`presence: could not remove node ${node} from ${prefix}.oban_ts_nodes: ${message(error)}`)
    }
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule())
    }, this.interval)
  }

  private watch(): void {
    if (this.stopped) return
    this.watchTimer = setTimeout(() => {
      try {
        // While writes fail, the regular interval retries; changes must not turn into a retry storm.
        if (!this.failing && fingerprint(this.options.snapshot()) !== this.written) this.touch()
      } catch (error) {
        this.options.logger.warn(`presence: could not describe this node: ${message(error)}`)
      }
      this.watch()
    }, this.options.watchInterval ?? 1_000)
  }

  private async write(): Promise<void> {
    const {db, prefix, instance, node, logger} = this.options
    try {
      if (!this.tableReady) {
        await createPresenceTable(db, prefix)
        this.tableReady = true
      }
      const snapshot = this.options.snapshot()
      const {plugins, queues, meta} = snapshot
      const conflict = await upsertPresence(db, prefix, {
        instance,
        node,
        pid: this.pid,
        hostname: this.hostname,
        startedAt: this.startedAt,
        ttlMs: this.ttl,
        plugins,
        queues,
        meta,
      })
      if (conflict && !this.warnedConflict) {
        this.warnedConflict = true
        logger.warn(
          `presence: another process (pid ${conflict.pid} on ${conflict.hostname}) also runs as node "${node}" of instance "${instance}": give each process its own --node, or plugin calls and listings will mix them up`,
        )
      }
      this.written = fingerprint(snapshot)
      await pruneExpiredPresence(db, prefix, PRUNE_GRACE_MS)
      if (this.failing) logger.info(`presence: node ${node} is listed again in ${prefix}.oban_ts_nodes`)
      this.failing = false
    } catch (error) {
      if (!this.failing)
        logger.warn(
          `presence: could not write node ${node} to ${prefix}.oban_ts_nodes (other processes cannot see or call this node until it works; retrying every ${this.interval / 1000}s): ${message(error)}`,
        )
      this.failing = true
    }
  }
}

function fingerprint(snapshot: NodeSnapshot): string {
  return JSON.stringify({...snapshot, queues: snapshot.queues.map(({running: _running, ...queue}) => queue)})
}

function message(error: unknown): string {
  return coerceError(error).message
}
