import type {Config} from '../config/config.js'
import type {Pool} from '../db/pool.js'
import {withTransaction} from '../db/transaction.js'
import {currentLeader} from '../engine/peer-leader.js'
import {deleteExpiredPeers, upsertPeer} from '../engine/peer-elect.js'
import {resignPeer} from '../engine/peer-resign.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier, Payload} from '../notifier/notifier.js'
import {span} from '../telemetry/telemetry.js'

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
}

/** Oban's election interval and lease: 30 seconds. */
export const DEFAULT_PEER_INTERVAL = 30_000

/** The leader renews twice per lease (Oban's `leader_boost`), so one slow election never loses it. */
const LEADER_BOOST = 2

/** PostgreSQL's undefined_table: the migrations that create oban_peers (V11) have not run. */
const UNDEFINED_TABLE = '42P01'

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
 * Background failures never throw: a failed election is logged, reported as
 * `peer:election:exception`, and gives up leadership until the next election succeeds. Without a
 * working notifier, a successor waits for the lease to expire (up to one interval).
 */
export class Peer {
  private readonly interval: number
  private readonly listeners = new Set<(leader: boolean) => void>()
  private leader = false
  private started = false
  private stopped = false
  private timer: NodeJS.Timeout | undefined
  private unlisten: (() => void) | undefined
  /** The election in progress; elections never overlap. */
  private running: Promise<void> | undefined
  /** Another election was asked for while one ran (a `down` notice); run it right after. */
  private again = false

  constructor(private readonly options: PeerOptions) {
    this.interval = options.interval ?? DEFAULT_PEER_INTERVAL
    if (options.onChange) this.listeners.add(options.onChange)
  }

  /** Whether this node currently leads its instance. Always false with `peer: false`. */
  get isLeader(): boolean {
    return this.leader
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
    await this.running
    if (!this.leader) return
    const {pool, notifier, config, logger} = this.options
    this.setLeader(false)
    try {
      await resignPeer(pool, config.prefix, config.name, config.node)
      await notifier.notify('leader', {down: config.name})
    } catch (error) {
      logger.warn(`peer: could not resign leadership of ${config.name} cleanly: ${message(error)}`)
    }
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
    try {
      const leader = await span('peer:election', meta, async () => {
        const result = await this.transaction()
        return {result, metadata: {leader: result, wasLeader}}
      })
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
  }

  /** One election: delete the expired lease, then claim or renew it, in one transaction. */
  private async transaction(): Promise<boolean> {
    const {pool, config} = this.options
    return withTransaction(pool, async (client) => {
      await deleteExpiredPeers(client, config.prefix, config.name)
      return upsertPeer(client, config.prefix, {name: config.name, node: config.node, leaseMs: this.interval})
    })
  }

  private schedule(): void {
    const base = this.leader ? this.interval / LEADER_BOOST : this.interval
    this.timer = setTimeout(() => void this.elect(), jitterDown(base))
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

/** Oban's `Backoff.jitter(time, mode: :dec)`: up to 10% less, never more. */
function jitterDown(ms: number): number {
  return Math.max(1, Math.round(ms - Math.random() * ms * 0.1))
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
