import {EventEmitter} from 'node:events'
import {toUnreachable, type Queryable} from '../db/pool.js'
import {ObanError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import {fullChannel} from '../db/names.js'
import {ListenerConnection} from './listener-connection.js'
import type {NotificationHandler, Notifier, NotifierStatus, Payload, Unlisten} from './notifier.js'
import {notifyInSpan} from './send.js'
import {Subscriptions} from './subscriptions.js'
import {retryDelay} from '../util/retry-delay.js'

export interface PostgresNotifierOptions {
  /** Database URL for the dedicated LISTEN connection. */
  url: string
  /** Where NOTIFY runs (the instance's pool); never used for LISTEN. */
  pool: Queryable
  /** Schema prefix; channels are `<prefix>.oban_<channel>`. */
  prefix: string
  /** This instance's ident, `<name>.<node>` (e.g. `Oban.host-123`), for ident filtering. */
  ident: string
  logger: Logger
  /** The instance name, for telemetry metadata. */
  instance: string
  /** Shown in pg_stat_activity for the listener connection (default `oban_notifier`). */
  applicationName?: string
  /** How often the listener connection is checked with `SELECT 1` (ms, default 20 000). */
  healthCheckInterval?: number
  /** How long that check may take before the connection is declared dead (ms, default 10 000). */
  healthCheckTimeout?: number
  /** Reconnect backoff: first delay and cap (ms, default 50 and 10 000). */
  reconnectDelay?: {initial: number; max: number}
}

/** Events of a {@link PostgresNotifier}. It never emits `error`: failures are log lines. */
export interface PostgresNotifierEvents {
  /** After a reconnect re-LISTENed every channel; notifications sent while down are lost. */
  reconnected: []
  status: [NotifierStatus]
}

/**
 * Oban's Postgres notifier (`Oban.Notifiers.Postgres`): NOTIFY through the pool, LISTEN on one
 * dedicated connection. A channel is LISTENed when its first subscriber arrives and UNLISTENed
 * when its last one leaves; the set of channels is state, re-LISTENed on every new connection.
 *
 * Failures after start are never thrown: a lost connection (backend terminated, network gone, a
 * failed health check) is logged, and a new connection is made with jittered exponential
 * backoff until it works or the notifier stops; then `reconnected` is emitted so that
 * subscribers catch up. Notifications do not pass through PgBouncer in transaction mode.
 */
export class PostgresNotifier extends EventEmitter<PostgresNotifierEvents> implements Notifier {
  private readonly subscriptions: Subscriptions
  private current: ListenerConnection | undefined
  private pending: ListenerConnection | undefined
  private state: NotifierStatus = 'idle'
  private starting: Promise<void> | undefined
  private stopping: Promise<void> | undefined
  private attempts = 0
  private reconnectTimer: NodeJS.Timeout | undefined
  private healthTimer: NodeJS.Timeout | undefined
  private checking = false
  private waiters: (() => void)[] = []
  /** Per subscribed channel, the promise of its LISTEN (settled long ago, usually). */
  private readonly listens = new Map<string, Promise<void>>()

  constructor(private readonly options: PostgresNotifierOptions) {
    super()
    fullChannel(options.prefix, 'insert') // validates the prefix now rather than at the first listen
    this.subscriptions = new Subscriptions({ident: options.ident, logger: options.logger})
  }

  get status(): NotifierStatus {
    return this.state
  }

  /** The listener connection's backend pid while connected (diagnostics and tests). */
  get backendPid(): number | undefined {
    return this.current?.pid
  }

  /**
   * Connects and LISTENs every channel subscribed so far. Rejects when this first connection
   * fails (with `DatabaseUnreachableError` when the server cannot be reached); the notifier is
   * then idle again and `start()` may be retried. Resolves without connecting if `stop()` is called
   * meanwhile. Idempotent while starting or started.
   */
  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new ObanError('notifier_stopped', 'the notifier was stopped'))
    this.starting ??= this.firstConnect()
    return this.starting
  }

  /** Stops listening, cancels reconnects and timers, closes the connection. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  listen(channel: string, handler: NotificationHandler): Unlisten {
    const full = fullChannel(this.options.prefix, channel)
    const {first, remove} = this.subscriptions.add(channel, handler)
    // A later subscriber is ready when the channel's LISTEN is, which may still be in flight.
    if (first) this.listens.set(channel, this.command(full, 'listen'))
    const ready = this.listens.get(channel) ?? this.whenListening()
    const unlisten = () => {
      if (!remove()) return
      this.listens.delete(channel)
      void this.command(full, 'unlisten')
    }
    return Object.assign(unlisten, {ready})
  }

  notify(channel: string, payloads: Payload | Payload[]): Promise<void> {
    return notifyInSpan(this.options, channel, payloads)
  }

  onReconnect(listener: () => void): () => void {
    this.on('reconnected', listener)
    return () => void this.off('reconnected', listener)
  }

  private async firstConnect(): Promise<void> {
    this.setStatus('connecting')
    try {
      await this.connect()
    } catch (error) {
      if (this.stopping) return
      this.starting = undefined
      this.clearTimers()
      this.setStatus('idle')
      throw toUnreachable(error, this.options.url)
    }
    if (this.stopping) return
    const every = this.options.healthCheckInterval ?? 20_000
    this.healthTimer = setInterval(() => void this.healthCheck(), every)
  }

  /**
   * Opens a connection and LISTENs every current channel. The connection becomes `current`
   * before the batch LISTEN so that a subscription made meanwhile issues its own LISTEN on it
   * (queued after the batch) instead of falling between the snapshot and the switch.
   */
  private async connect(): Promise<void> {
    const connection = new ListenerConnection({
      url: this.options.url,
      applicationName: this.options.applicationName ?? 'oban_notifier',
      onNotification: (full, text) => this.deliver(connection, full, text),
      onLost: (error) => this.lost(connection, error),
    })
    this.pending = connection
    try {
      await connection.connect()
    } catch (error) {
      await connection.close()
      throw error
    } finally {
      if (this.pending === connection) this.pending = undefined
    }
    if (this.stopping) {
      await connection.close()
      return
    }
    this.current = connection
    const {prefix} = this.options
    try {
      await connection.listen(this.subscriptions.channels().map((c) => fullChannel(prefix, c)))
    } catch (error) {
      if (this.current === connection) this.current = undefined
      await connection.close()
      throw error
    }
    if (this.current !== connection) throw new Error('the listener connection was lost while listening')
    this.attempts = 0
    this.setStatus('listening')
    for (const resolve of this.waiters.splice(0)) resolve()
  }

  /** Issues LISTEN/UNLISTEN on the live connection; resolves once the channel set is in effect. */
  private async command(full: string, kind: 'listen' | 'unlisten'): Promise<void> {
    const connection = this.current
    // Not connected: the next connection LISTENs the subscribed channels (and not the others).
    if (!connection) return this.whenListening()
    try {
      await (kind === 'listen' ? connection.listen([full]) : connection.unlisten([full]))
    } catch (error) {
      if (connection === this.current) {
        this.options.logger.warn(`notifier: ${kind.toUpperCase()} "${full}" failed: ${(error as Error).message}`)
        this.lost(connection, error as Error)
      }
      return this.whenListening()
    }
  }

  private whenListening(): Promise<void> {
    if (this.state === 'listening' || this.state === 'stopped') return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  private deliver(connection: ListenerConnection, full: string, text: string): void {
    if (connection !== this.current) return
    const marker = `${this.options.prefix}.oban_`
    if (!full.startsWith(marker)) return
    this.subscriptions.deliver(full.slice(marker.length), text, full)
  }

  private lost(connection: ListenerConnection, error: Error): void {
    if (connection !== this.current || this.stopping) return
    this.current = undefined
    void connection.close()
    this.options.logger.warn(`notifier: lost the listener connection (${error.message}); reconnecting`)
    this.setStatus('reconnecting')
    this.scheduleReconnect()
  }

  /**
   * Backoff: `initial · 2^attempt` capped at `max` (50 ms, 100 ms, ... 10 s from the 9th attempt),
   * times a random factor in [0.5, 1] so that many nodes losing the same server do not reconnect
   * in lockstep. Ten seconds bounds how long notifications stay lost once the server is back.
   */
  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return
    const {initial, max} = this.options.reconnectDelay ?? {initial: 50, max: 10_000}
    const delay = retryDelay(this.attempts + 1, {base: initial, max}) * (0.5 + Math.random() / 2)
    this.attempts += 1
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      void this.reconnect()
    }, delay)
  }

  private async reconnect(): Promise<void> {
    if (this.stopping) return
    try {
      await this.connect()
    } catch (error) {
      if (this.stopping) return
      const reason = (toUnreachable(error, this.options.url) as Error).message
      this.options.logger.warn(`notifier: reconnect attempt ${this.attempts} failed: ${reason}`)
      this.scheduleReconnect()
      return
    }
    if (this.stopping) return
    this.options.logger.info('notifier: reconnected and listening again')
    this.safeEmit('reconnected')
  }

  /**
   * Emits without letting a throwing listener escape into our control flow (EventEmitter.emit
   * would throw it at us). `rawListeners` keeps `once` semantics.
   */
  private safeEmit<K extends keyof PostgresNotifierEvents>(event: K, ...args: PostgresNotifierEvents[K]): void {
    const listeners = this.rawListeners(event) as unknown as ((...a: unknown[]) => void)[]
    for (const listener of listeners) {
      try {
        listener.apply(this, args)
      } catch (error) {
        this.options.logger.error(`notifier: a "${event}" listener failed: ${(error as Error).message}`)
      }
    }
  }

  /** A periodic `SELECT 1` on the listener: silent network loss raises no error by itself. */
  private async healthCheck(): Promise<void> {
    const connection = this.current
    if (!connection || this.checking) return
    this.checking = true
    try {
      await connection.ping(this.options.healthCheckTimeout ?? 10_000)
    } catch (error) {
      this.lost(connection, error as Error)
    } finally {
      this.checking = false
    }
  }

  private async shutdown(): Promise<void> {
    this.clearTimers()
    const connections = [this.current, this.pending].filter((c) => c !== undefined)
    this.current = undefined
    this.pending = undefined
    await Promise.all(connections.map((c) => c.close()))
    this.subscriptions.clear()
    this.listens.clear()
    this.setStatus('stopped')
    for (const resolve of this.waiters.splice(0)) resolve()
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer)
    clearInterval(this.healthTimer)
    this.reconnectTimer = undefined
    this.healthTimer = undefined
  }

  private setStatus(status: NotifierStatus): void {
    if (status === this.state) return
    this.state = status
    this.safeEmit('status', status)
  }
}
