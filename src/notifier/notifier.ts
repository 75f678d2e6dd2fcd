/**
 * The notifier contract, after Oban's `Oban.Notifier`: publish JSON payloads on named channels
 * (`insert`, `signal`, `leader`, `sonar`, or our own) and deliver received ones to subscribers.
 * Channel names are short (`signal`); implementations map them onto `<prefix>.oban_<channel>`.
 */
export type Payload = Record<string, unknown>

export type NotificationHandler = (payload: Payload, channel: string) => void

export type NotifierStatus = 'connecting' | 'listening' | 'reconnecting' | 'stopped'

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
  listen(channel: string, handler: NotificationHandler): () => void
  /** Publishes one payload or several (several go out in one statement, one NOTIFY each). */
  notify(channel: string, payloads: Payload | Payload[]): Promise<void>
  readonly status: NotifierStatus
}
