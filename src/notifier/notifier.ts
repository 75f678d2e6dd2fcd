/**
 * The notifier contract, after Oban's `Oban.Notifier`: publish JSON payloads on named channels
 * (`insert`, `signal`, `leader`, `sonar`, or our own) and deliver received ones to subscribers.
 * Channel names are short (`signal`); implementations map them onto `<prefix>.oban_<channel>`.
 */
export type Payload = Record<string, unknown>

export type NotificationHandler = (payload: Payload, channel: string) => void

/**
 * The connection's state (not Sonar's cluster view, see `sonar.ts`): `idle` before `start()`,
 * `connecting` during the first connect, `listening` while notifications flow, `reconnecting`
 * after the connection was lost (notifications sent meanwhile are lost), `stopped` after `stop()`.
 */
export type NotifierStatus = 'idle' | 'connecting' | 'listening' | 'reconnecting' | 'stopped'

/**
 * What `listen` returns: call it to unsubscribe (idempotent). `ready` resolves once the
 * subscription is effective, i.e. the channel is LISTENed on the live connection (at once for an
 * in-process notifier); it never rejects, and also resolves when the notifier stops. Await it
 * before relying on hearing something, e.g. one's own ping. Optional only so that minimal test
 * doubles still type-check; both notifiers of this package always set it.
 */
export interface Unlisten {
  (): void
  readonly ready?: Promise<void>
}

export interface Notifier {
  /** Opens the connection (if any). Resolves when listening, or rejects if the first connect fails. */
  start(): Promise<void>
  /** Closes everything; idempotent. Pending reconnects are cancelled. */
  stop(): Promise<void>
  /**
   * Subscribes to a channel; returns the unsubscribe function. Payloads that carry an `ident`
   * other than `any` or this instance's own ident are dropped before handlers see them, as in
   * Oban's `Notifier.relay`. Malformed payloads are logged and skipped, never thrown.
   */
  listen(channel: string, handler: NotificationHandler): Unlisten
  /** Publishes one payload or several (several go out in one statement, one NOTIFY each). */
  notify(channel: string, payloads: Payload | Payload[]): Promise<void>
  /**
   * Calls `listener` after each reconnect (never after the first connect): notifications sent
   * while the connection was down are lost, so subscribers catch up (wake producers, re-read
   * state). Returns the unsubscribe function. Optional only for minimal test doubles.
   */
  onReconnect?(listener: () => void): () => void
  readonly status: NotifierStatus
}
