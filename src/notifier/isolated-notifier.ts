import type {Logger} from '../telemetry/logger.js'
import {span} from '../telemetry/telemetry.js'
import {fullChannel} from '../db/names.js'
import type {NotificationHandler, Notifier, NotifierStatus, Payload, Unlisten} from './notifier.js'
import {encodeBatch} from './send.js'
import {Subscriptions} from './subscriptions.js'

export interface IsolatedNotifierOptions {
  /** Schema prefix: only used to validate channel names and size limits as Postgres would. */
  prefix: string
  /** This instance's ident, `<name>.<node>`, for ident filtering. */
  ident: string
  logger: Logger
  /** The instance name, for telemetry metadata. */
  instance: string
}

/**
 * Oban's `Isolated` notifier: delivery within this notifier only (one instance in one process),
 * for tests and for single-node setups without LISTEN/NOTIFY. Payloads make the same round trip
 * as on the wire (encode, size check, decode), so what is refused or dropped here would be
 * refused or dropped by the Postgres notifier too. Delivery is asynchronous (a later macrotask),
 * as a real notification is, and goes to the subscribers present at delivery time. Nothing is
 * delivered after `stop()`. It never reconnects, so `onReconnect` listeners are never called.
 */
export class IsolatedNotifier implements Notifier {
  private readonly subscriptions: Subscriptions
  private state: NotifierStatus = 'idle'
  private readonly scheduled = new Set<NodeJS.Immediate>()

  constructor(private readonly options: IsolatedNotifierOptions) {
    fullChannel(options.prefix, 'insert') // validates the prefix
    this.subscriptions = new Subscriptions({ident: options.ident, logger: options.logger})
  }

  get status(): NotifierStatus {
    return this.state
  }

  async start(): Promise<void> {
    if (this.state === 'idle') this.state = 'listening'
  }

  async stop(): Promise<void> {
    this.state = 'stopped'
    for (const immediate of this.scheduled) clearImmediate(immediate)
    this.scheduled.clear()
    this.subscriptions.clear()
  }

  listen(channel: string, handler: NotificationHandler): Unlisten {
    fullChannel(this.options.prefix, channel)
    const {remove} = this.subscriptions.add(channel, handler)
    return Object.assign(() => void remove(), {ready: Promise.resolve()})
  }

  /**
   * Publishes as the Postgres notifier would (same validation and errors), whether or not
   * `start()` was called, as Oban's isolated notifier is always connected; a no-op once stopped.
   */
  notify(channel: string, payloads: Payload | Payload[]): Promise<void> {
    const list = Array.isArray(payloads) ? payloads : [payloads]
    const {prefix, instance} = this.options
    return span('notifier:notify', {channel, payload: list, instance}, async () => {
      const full = fullChannel(prefix, channel)
      const encoded = encodeBatch(full, list)
      if (this.state !== 'stopped') {
        const immediate = setImmediate(() => {
          this.scheduled.delete(immediate)
          for (const text of encoded) this.subscriptions.deliver(channel, text, full)
        })
        this.scheduled.add(immediate)
      }
      return {result: undefined}
    })
  }

  onReconnect(_listener: () => void): () => void {
    return () => {}
  }
}
