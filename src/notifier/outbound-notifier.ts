import type {Queryable} from '../db/pool.js'
import {fullChannel} from '../db/names.js'
import type {NotificationHandler, Notifier, NotifierStatus, Payload, Unlisten} from './notifier.js'
import {notifyInSpan} from './send.js'

export interface OutboundNotifierOptions {
  /** Where NOTIFY runs (the instance's pool; `pg_notify` passes a transaction pooler). */
  pool: Queryable
  prefix: string
  /** The instance name, for telemetry metadata. */
  instance: string
}

/**
 * The notifier of `notifier: 'none'`: sends, never hears. Its notifications go out through the
 * pool as the Postgres notifier's do (so nodes that listen still hear this node's inserts, leader
 * notices and stager wake-ups), but it opens no LISTEN connection, which a database URL through
 * PgBouncer in transaction mode cannot carry. Subscriptions are accepted and never called, so the
 * node polls: producers every `pollInterval` (1 s), the Sonar hears nothing (`isolated`, so the
 * Stager wakes local queues), signals, plugin calls and leadership notices from other processes
 * are not heard. Its status stays `idle` until stopped: it never listens.
 */
export class OutboundNotifier implements Notifier {
  private state: NotifierStatus = 'idle'

  constructor(private readonly options: OutboundNotifierOptions) {
    fullChannel(options.prefix, 'insert') // validates the prefix
  }

  get status(): NotifierStatus {
    return this.state
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.state = 'stopped'
  }

  listen(channel: string, _handler: NotificationHandler): Unlisten {
    fullChannel(this.options.prefix, channel)
    return Object.assign(() => {}, {ready: Promise.resolve()})
  }

  notify(channel: string, payloads: Payload | Payload[]): Promise<void> {
    return notifyInSpan(this.options, channel, payloads)
  }

  onReconnect(_listener: () => void): () => void {
    return () => {}
  }
}
