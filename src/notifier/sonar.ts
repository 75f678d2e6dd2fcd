import type {Logger} from '../telemetry/logger.js'
import {execute} from '../telemetry/telemetry.js'
import type {Notifier, Payload, Unlisten} from './notifier.js'

/**
 * What the Sonar knows about the notifier's reach (Oban's `Notifier.status`): `unknown` until the
 * first ping is heard or the first tick, `isolated` when no ping is heard (not even our own: the
 * notifier does not deliver, e.g. behind PgBouncer), `solitary` when only our own, `clustered`
 * when another node's. Same union as the Stager's `SonarStatus`.
 */
export type SonarStatus = 'unknown' | 'isolated' | 'solitary' | 'clustered'

export interface SonarOptions {
  notifier: Notifier
  /** This node's name, sent in every ping (`{"node": node, "ping": true}`). */
  node: string
  /** The instance name, for telemetry metadata. */
  instance: string
  logger: Logger
  /** First and shortest ping interval (ms, default 5 000, Oban's `min_interval`). */
  minInterval?: number
  /** Longest ping interval (ms, default 60 000, Oban's `max_interval`). */
  maxInterval?: number
  /** A node not heard for longer than this is forgotten (ms, default 120 000). */
  staleAfter?: number
  /** Monotonic clock in ms (default `performance.now`); injectable for tests. */
  now?: () => number
  /** Random source in [0, 1) for the ±10% jitter (default `Math.random`). */
  random?: () => number
}

/**
 * Oban's Sonar (`Oban.Sonar`, v2.23.1): pings `{"node": NODE, "ping": true}` on the `sonar`
 * channel, records every node it hears with the local monotonic time, prunes nodes silent for
 * `staleAfter`, and derives the status. A status change emits `notifier:switch` with
 * `{instance, status}`.
 *
 * The ping interval starts at `minInterval` and goes back to it whenever the status or the set of
 * nodes changed since the previous tick; otherwise it doubles toward a target: for `clustered`,
 * `min(minInterval × nodes, maxInterval)` (each peer's pings prove liveness too), for `solitary`
 * `maxInterval`, else `minInterval`. Each wait gets ±10% jitter. (Oban compares only within a
 * tick, so a node heard between ticks does not reset the interval there; comparing with the
 * previous tick follows the documented intent. The interval is local and never on the wire.)
 */
export class Sonar {
  private readonly heard = new Map<string, number>()
  private readonly hearers = new Set<(node: string) => void>()
  private current: SonarStatus = 'unknown'
  private base: number
  private timer: NodeJS.Timeout | undefined
  private unlisten: Unlisten | undefined
  private started = false
  private stopped = false
  private failing = false
  private ticks: Promise<void> = Promise.resolve()
  private previous: {status: SonarStatus; nodes: string} = {status: 'unknown', nodes: ''}

  constructor(private readonly options: SonarOptions) {
    this.base = this.minInterval
  }

  get status(): SonarStatus {
    return this.current
  }

  /** Nodes heard within `staleAfter` (as of the last prune), sorted. */
  get nodes(): string[] {
    return [...this.heard.keys()].sort()
  }

  /**
   * Calls `hearer` with the node name of every ping heard (ours included) until the returned
   * function is called; for recording who is alive where other processes can read it.
   */
  onHeard(hearer: (node: string) => void): () => void {
    this.hearers.add(hearer)
    return () => this.hearers.delete(hearer)
  }

  /** The current ping interval before jitter (ms). */
  get interval(): number {
    return this.base
  }

  /** Subscribes, sends the first ping and schedules the next. Idempotent; never rejects. */
  async start(): Promise<void> {
    if (this.started || this.stopped) return
    this.started = true
    this.unlisten = this.options.notifier.listen('sonar', (payload) => this.record(payload))
    await this.unlisten.ready
    if (this.stopped) return
    await this.send()
    if (!this.stopped) this.schedule()
  }

  /** Cancels the next ping and unsubscribes. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.unlisten?.()
    this.unlisten = undefined
    await this.ticks
  }

  /** Runs a tick now (ping, prune, status, interval) and reschedules; for tests and diagnostics. */
  ping(): Promise<void> {
    this.ticks = this.ticks.then(() => this.tick())
    return this.ticks
  }

  private get minInterval(): number {
    return this.options.minInterval ?? 5_000
  }

  private now(): number {
    return (this.options.now ?? (() => performance.now()))()
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    await this.send()
    if (this.stopped) return
    this.prune()
    this.updateStatus()
    const snapshot = {status: this.current, nodes: this.nodes.join('\n')}
    const changed = snapshot.status !== this.previous.status || snapshot.nodes !== this.previous.nodes
    this.previous = snapshot
    this.base = changed ? this.minInterval : Math.min(this.base * 2, this.target())
    this.schedule()
  }

  private target(): number {
    const max = this.options.maxInterval ?? 60_000
    if (this.current === 'clustered') return Math.min(this.minInterval * Math.max(this.heard.size, 1), max)
    if (this.current === 'solitary') return max
    return this.minInterval
  }

  private schedule(): void {
    clearTimeout(this.timer)
    const random = this.options.random ?? Math.random
    const delay = this.base * (1 + (random() * 2 - 1) * 0.1)
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.ping()
    }, delay)
  }

  /** Publishes our ping. A failure (database or notifier down) is logged once per outage. */
  private async send(): Promise<void> {
    try {
      await this.options.notifier.notify('sonar', {node: this.options.node, ping: true})
      this.failing = false
    } catch (error) {
      if (!this.failing) this.options.logger.warn(`sonar: could not send a ping: ${(error as Error).message}`)
      this.failing = true
    }
  }

  private record(payload: Payload): void {
    if (this.stopped || typeof payload.node !== 'string') return
    this.heard.set(payload.node, this.now())
    this.updateStatus()
    for (const hearer of this.hearers) hearer(payload.node)
  }

  private prune(): void {
    const now = this.now()
    const staleAfter = this.options.staleAfter ?? 120_000
    for (const [node, at] of this.heard) if (now - at > staleAfter) this.heard.delete(node)
  }

  private updateStatus(): void {
    const status: SonarStatus =
      this.heard.size === 0
        ? 'isolated'
        : this.heard.size === 1 && this.heard.has(this.options.node)
          ? 'solitary'
          : 'clustered'
    if (status === this.current) return
    this.current = status
    execute('notifier:switch', {}, {instance: this.options.instance, status})
  }
}
