import type {Config} from '../config/config.js'
import type {Pool} from '../db/pool.js'
import {transactionOn} from '../db/transaction.js'
import {checkLease, type LeaseStatus} from '../engine/peer-check.js'
import {currentLeader} from '../engine/peer-leader.js'
import {deleteExpiredPeers, deleteGonePeer, upsertPeer} from '../engine/peer-elect.js'
import {lockLease} from '../engine/peer-lock.js'
import {resignPeer} from '../engine/peer-resign.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier, Payload} from '../notifier/notifier.js'
import {span} from '../telemetry/telemetry.js'
import {PauseWatch} from '../util/pause-watch.js'
import {LeaseConnection} from './lease-connection.js'

export interface PeerOptions {
  pool: Pool
  notifier: Notifier
  config: Pick<Config, 'name' | 'node' | 'prefix' | 'peer'>
  logger: Logger
  /**
   * Election interval and lease length in ms (default 30s, as Oban). The leader renews every
   * interval/2 and followers try every interval, both minus up to 10% jitter. Tests inject a
   * short one.
   */
  interval?: number
  /** Called with the new value whenever this node gains or loses leadership. */
  onChange?: (leader: boolean) => void
  /**
   * How often a follower reads the lease to see whether it is free, expired or held by a node
   * that is gone (ms; default 2 s, never more than `interval`). Tests shorten it.
   */
  checkInterval?: number
  /** The process's pause detector (the instance's); the Peer runs its own when not given. */
  pauses?: PauseWatch
  /**
   * Where the lease session connects (default: the pool's server, with the pool's settings): the
   * direct URL when the pool goes through a transaction pooler (see ResolvedDatabase.directUrl).
   */
  leaseUrl?: string
  /**
   * Whether the leader takes the lease lock on its session (default true). False when that session
   * goes through a transaction pooler, where a session-level lock would stay on whichever server
   * connection ran it: the lease is then only replaced once expired, as Oban does.
   */
  leaseLock?: boolean
}

/** Oban's election interval and lease: 30 seconds. */
export const DEFAULT_PEER_INTERVAL = 30_000

/** The leader renews twice per lease (Oban's `leader_boost`), so one slow election never loses it. */
const LEADER_BOOST = 2

/** PostgreSQL's undefined_table: the migrations that create oban_peers (V11) have not run. */
const UNDEFINED_TABLE = '42P01'

/** A follower reads the lease this often, so that it takes over within about this long. */
export const DEFAULT_CHECK_INTERVAL = 2_000

/** A follower checks again this long after the lease it saw expires (clocks and round trips). */
const EXPIRY_SLACK_MS = 50

/**
 * The event loop stood still at least this long: a pause (SIGSTOP, a suspended VM, a long
 * synchronous block). The leader re-confirms its lease before it counts as leader again. Shorter
 * stalls are covered by the lease bound alone (see {@link Peer.isLeader}): re-confirming after every
 * hiccup of a loaded machine would make leader-only work (a cron minute) skip for nothing.
 */
const PAUSE_MS = 2_000

/**
 * Leadership of one instance name among all nodes that share its database and prefix, through
 * the `oban_peers` table, as Oban's `Oban.Peers.Database` does. The leader runs the leader-only
 * work: staging, cron, pruning, rescuing.
 *
 * `oban_peers.name` is the instance name as given. Elixir Oban stores `inspect(name)`, which for
 * a module name (`Oban`, `MyApp.Oban`) is that same text. So an Elixir instance and ours with the
 * same name and prefix share one lease: exactly one of them leads, and each takes over when the
 * other stops (the `{"down": name}` notice on `<prefix>.oban_leader`).
 *
 * Past Oban, so that leadership has no gaps and no overlaps when a node dies or freezes:
 *
 * - A leader counts as leader only while the lease it last confirmed is still valid by its own
 *   monotonic clock (measured from the start of the election that confirmed it), after re-confirming
 *   it once the process was paused ({@link PAUSE_MS}), and while the connection it holds its lease
 *   on is alive. A process frozen past its lease wakes up as a follower, before any timer of its
 *   leader-only work can run, and holds an election at once.
 * - A follower does not wait for its next 30 s election: it reads the lease every
 *   `checkInterval` (2 s) and at the moment it expires, and holds an election when the lease is
 *   free, expired, its own, or held by an oban-ts node that is provably gone. That last proof is
 *   the lease lock (engine/peer-lock.ts): the leader holds its elections on a connection of its
 *   own ({@link LeaseConnection}) with a session-level advisory lock on it, which PostgreSQL
 *   releases when the process dies. A lease of an Elixir node, which takes no such lock, is only
 *   ever replaced once expired, as Oban does.
 *
 * Background failures never throw: a failed election is logged, reported as
 * `peer:election:exception`, and gives up leadership until the next election succeeds. Without a
 * working notifier, a successor waits for the lease to expire or its holder to be gone.
 */
export class Peer {
  private readonly interval: number
  private readonly checkInterval: number
  private readonly listeners = new Set<(leader: boolean) => void>()
  private readonly pauses: PauseWatch
  private readonly ownPauses: boolean
  private leader = false
  private started = false
  private stopped = false
  private timer: NodeJS.Timeout | undefined
  private unlisten: (() => void) | undefined
  private unpause: (() => void) | undefined
  /** The election in progress; elections never overlap. */
  private running: Promise<void> | undefined
  /** Another election was asked for while one ran (a `down` notice); run it right after. */
  private again = false
  /** The session elections run on while leading (and during an election). */
  private connection: LeaseConnection | undefined
  /** A check found the lease's holder gone: the next election may delete its lease. */
  private goneHolder: string | undefined
  /** Counts pauses; an election confirms leadership for the count at its start. */
  private pauseCount = 0
  private confirmedCount = 0
  /** Monotonic time at the start of the election that last confirmed the lease. */
  private confirmedAt = -Infinity
  private warnedLock = false

  constructor(private readonly options: PeerOptions) {
    this.interval = options.interval ?? DEFAULT_PEER_INTERVAL
    this.checkInterval = Math.min(options.checkInterval ?? DEFAULT_CHECK_INTERVAL, this.interval)
    this.ownPauses = options.pauses === undefined
    this.pauses = options.pauses ?? new PauseWatch()
    if (options.onChange) this.listeners.add(options.onChange)
  }

  /**
   * Whether this node leads its instance right now: it won the last election, the lease that
   * election confirmed has not run out by this process's clock (minus a margin), no pause happened
   * since, and the connection holding the lease is alive. Always false with `peer: false`.
   * Leader-only work asks right before it acts; a pause noticed here (this call may be the first
   * thing to run after SIGCONT) makes it false until an election has confirmed the lease again.
   */
  get isLeader(): boolean {
    if (!this.leader) return false
    if (this.pauses.overdue() >= PAUSE_MS) this.paused()
    if (this.confirmedCount !== this.pauseCount) return false
    if (!this.connection?.alive) return false
    return performance.now() < this.confirmedAt + this.interval - leaseMargin(this.interval)
  }

  /**
   * Listens for `down` notices (and holds an election after each notifier reconnect, in case one
   * was missed), then holds the first election; resolves once this node knows whether it leads.
   * With `peer: false` it does nothing and the node never leads. Calling it again, or after
   * stop(), does nothing.
   */
  async start(): Promise<void> {
    if (this.started || this.stopped) return
    this.started = true
    if (!this.options.config.peer) return
    if (this.ownPauses) this.pauses.start()
    this.unpause = this.pauses.onPause((gap) => {
      if (gap >= PAUSE_MS) this.paused()
    })
    const {notifier} = this.options
    const unlisten = notifier.listen('leader', (payload) => this.onNotice(payload))
    // A `down` notice sent while the connection was lost is gone: hold an election instead.
    const unreconnect = notifier.onReconnect?.(() => void this.elect())
    this.unlisten = () => {
      unlisten()
      unreconnect?.()
    }
    // Only once LISTEN is effective can this node hear a leader that stops right after.
    await unlisten.ready
    await this.elect()
  }

  /**
   * Stops electing. A leader deletes its row and publishes `{down: name}` on `leader`, so that
   * another node (ours or Elixir's) is elected at once: stop the peer before the notifier and
   * the pool. Idempotent. Waits for an election in
   * progress first, so the row cannot be renewed after it has been deleted.
   */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.again = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.unlisten?.()
    this.unlisten = undefined
    this.unpause?.()
    this.unpause = undefined
    if (this.ownPauses) this.pauses.stop()
    await this.running
    const wasLeader = this.leader
    this.setLeader(false)
    const {pool, notifier, config, logger} = this.options
    try {
      if (wasLeader) {
        await resignPeer(pool, config.prefix, config.name, config.node)
        await notifier.notify('leader', {down: config.name})
      }
    } catch (error) {
      logger.warn(`peer: could not resign leadership of ${config.name} cleanly: ${message(error)}`)
    } finally {
      await this.dropConnection()
    }
  }

  /** Whether the lease session is open (a leader's, and during a follower's election): 0 or 1. */
  get sessions(): number {
    return this.connection?.alive ? 1 : 0
  }

  /** The node that currently holds the instance's lease (any process, ours or Elixir's), if any. */
  async getLeader(): Promise<string | undefined> {
    const {pool, config} = this.options
    return (await currentLeader(pool, config.prefix, config.name))?.node
  }

  /** Subscribes to leadership changes; returns the unsubscribe function. */
  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Holds an election now, or right after the one in progress. Resolves when it is over; never
   * rejects. Used on start, by the timer and on a `down` notice.
   */
  elect(): Promise<void> {
    if (this.stopped || !this.options.config.peer) return Promise.resolve()
    if (this.running) {
      this.again = true
      return this.running
    }
    clearTimeout(this.timer)
    this.timer = undefined
    this.running = this.run().finally(() => {
      this.running = undefined
      if (this.stopped) return
      if (this.again) {
        this.again = false
        void this.elect()
      } else {
        this.schedule()
      }
    })
    return this.running
  }

  private async run(): Promise<void> {
    const {config, logger} = this.options
    const wasLeader = this.leader
    const meta = {instance: config.name, node: config.node, leader: wasLeader, wasLeader}
    // What this election can confirm: the lease from now on, and no pause before now.
    const startedAt = performance.now()
    const pauses = this.pauseCount
    const gone = this.goneHolder
    this.goneHolder = undefined
    try {
      const leader = await span('peer:election', meta, async () => {
        const result = await this.transaction(gone)
        return {result, metadata: {leader: result, wasLeader}}
      })
      if (leader) {
        this.confirmedAt = startedAt
        this.confirmedCount = pauses
      }
      this.setLeader(leader)
    } catch (error) {
      if ((error as {code?: string}).code === UNDEFINED_TABLE) {
        logger.error(
          `peer: the oban_peers table is missing in schema ${config.prefix}, so no node of ${config.name} leads ` +
            `(cron, pruning and staging are off): run 'oban migrate'`,
        )
      } else {
        logger.warn(`peer: election for ${config.name} failed, not leading until one succeeds: ${message(error)}`)
      }
      this.setLeader(false)
    }
    // A follower keeps no session (nor lock) of its own; nor does a leader whose session failed.
    if (!this.leader || !this.connection?.alive) await this.dropConnection()
  }

  /**
   * One election, on the lease session: take the lease lock (once per session), delete the expired
   * lease (and the lease of a holder found gone), then claim or renew it, in one transaction.
   */
  private async transaction(gone: string | undefined): Promise<boolean> {
    const {config} = this.options
    const connection = await this.leaseConnection()
    if (!connection.locked && this.options.leaseLock !== false) {
      connection.locked = await lockLease(connection, config.prefix, config.name, config.node)
      // Held by another session: another process runs as this node (or our previous session
      // lingers on the server). This node may still lead; followers just cannot prove it gone.
      if (!connection.locked && !this.warnedLock) {
        this.warnedLock = true
        this.options.logger.warn(
          `peer: another session holds the lease lock of node ${config.node} of ${config.name}: does another process run with --node ${config.node}?`,
        )
      }
    }
    return transactionOn(connection, async () => {
      await deleteExpiredPeers(connection, config.prefix, config.name)
      if (gone !== undefined) await deleteGonePeer(connection, config.prefix, config.name, gone)
      return upsertPeer(connection, config.prefix, {name: config.name, node: config.node, leaseMs: this.interval})
    })
  }

  /** The lease session, connected (a new one if there is none or it failed). */
  private async leaseConnection(): Promise<LeaseConnection> {
    if (this.connection?.alive) return this.connection
    await this.dropConnection()
    const connection = new LeaseConnection(
      this.options.pool,
      (error) => this.lost(connection, error),
      this.options.leaseUrl,
    )
    this.connection = connection
    try {
      await connection.connect()
    } catch (error) {
      if (this.connection === connection) this.connection = undefined
      await connection.close()
      throw error
    }
    return connection
  }

  private async dropConnection(): Promise<void> {
    const connection = this.connection
    this.connection = undefined
    await connection?.close()
  }

  /** The lease session failed: this node can no longer prove it is alive, so it stops leading now. */
  private lost(connection: LeaseConnection, error: Error): void {
    if (connection !== this.connection) return
    this.connection = undefined
    void connection.close()
    if (!this.leader) return
    this.options.logger.warn(
      `peer: lost the connection holding the lease of ${this.options.config.name} (${error.message}); not leading until an election succeeds`,
    )
    this.setLeader(false)
    if (!this.stopped) this.reschedule(0)
  }

  /** The process was paused: leadership counts again only once an election confirms it. */
  private paused(): void {
    if (this.stopped || !this.leader || this.confirmedCount !== this.pauseCount) return
    this.pauseCount++
    void this.elect()
  }

  /**
   * After an election: a leader renews every interval/2; a follower reads the lease every
   * `checkInterval`, and right after it expires if that comes sooner.
   */
  private schedule(): void {
    if (this.leader) this.reschedule(jitterDown(this.interval / LEADER_BOOST))
    else this.reschedule(jitterDown(this.checkInterval), () => this.check())
  }

  private reschedule(delay: number, next: () => void = () => void this.elect()): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      next()
    }, delay)
  }

  /** A follower's look at the lease: an election when it is up for grabs, another look otherwise. */
  private check(): void {
    if (this.stopped || this.running) return
    const {pool, config, logger} = this.options
    checkLease(pool, config.prefix, {name: config.name, node: config.node}).then(
      (status) => {
        if (this.stopped || this.running) return
        if (up(status, config.node)) {
          if (status.gone) {
            this.goneHolder = status.holder
            logger.info(`peer: node ${status.holder}, which leads ${config.name}, is gone: holding an election`)
          }
          void this.elect()
        } else {
          const untilExpiry = Math.max(0, status.expiresInMs) + EXPIRY_SLACK_MS
          if (untilExpiry < this.checkInterval) this.reschedule(untilExpiry, () => this.check())
          else this.reschedule(jitterDown(this.checkInterval), () => this.check())
        }
      },
      (error: unknown) => {
        if (this.stopped) return
        logger.debug(`peer: reading the lease of ${config.name} failed: ${message(error)}`)
        this.reschedule(jitterDown(this.checkInterval), () => this.check())
      },
    )
  }

  private onNotice(payload: Payload): void {
    if (payload.down === this.options.config.name) void this.elect()
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return
    this.leader = leader
    const {logger, config} = this.options
    logger.debug(`peer: ${config.node} ${leader ? 'now leads' : 'no longer leads'} ${config.name}`)
    for (const listener of this.listeners) {
      try {
        listener(leader)
      } catch (error) {
        logger.warn(`peer: a leadership listener threw: ${message(error)}`)
      }
    }
  }
}

/** Whether a follower should hold an election now. */
function up(status: LeaseStatus, node: string): boolean {
  return status.holder === undefined || status.expiresInMs <= 0 || status.holder === node || status.gone
}

/**
 * How long before its lease runs out (by this process's clock) a leader stops counting as one:
 * the lease's start on the database is a little after the election's start here, and the work
 * that asked must still reach the database.
 */
function leaseMargin(interval: number): number {
  return Math.min(1_000, interval / 10)
}

/** Oban's `Backoff.jitter(time, mode: :dec)`: up to 10% less, never more. */
function jitterDown(ms: number): number {
  return Math.max(1, Math.round(ms - Math.random() * ms * 0.1))
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
