import {LogBudget} from '../telemetry/log-budget.js'
import type {Logger} from '../telemetry/logger.js'
import {decodePayload} from './codec.js'
import type {NotificationHandler, Payload} from './notifier.js'

/**
 * Whether a payload is meant for the instance whose ident is `ident` (`<name>.<node>`, e.g.
 * `Oban.elixir-1`), as Oban's `Notifier.in_scope?`: payloads without an `ident` key (such as
 * `pkill`) are for everyone, `"any"` is for everyone, any other value only for that ident (a
 * present but non-string ident matches nobody, as in Oban).
 */
export function inScope(payload: Payload, ident: string): boolean {
  if (!Object.hasOwn(payload, 'ident')) return true
  return payload.ident === 'any' || payload.ident === ident
}

interface Entry {
  readonly handler: NotificationHandler
}

/**
 * The subscribers of one notifier, by short channel name, and Oban's `relay`: decode, filter by
 * ident, hand the payload to every handler. A malformed payload is logged and skipped; a handler
 * that throws (or returns a promise that rejects) is logged, and the others still run. All
 * handlers of a message receive the same payload object: they must not mutate it.
 */
export class Subscriptions {
  private readonly byChannel = new Map<string, Set<Entry>>()
  private readonly malformed = new LogBudget()

  constructor(private readonly options: {ident: string; logger: Logger}) {}

  /**
   * Adds a handler (the same function may be added twice: two subscriptions). `first` tells
   * whether the channel had no subscriber before; `remove()` is idempotent and returns true only
   * when this call removed the channel's last subscriber.
   */
  add(channel: string, handler: NotificationHandler): {first: boolean; remove: () => boolean} {
    let entries = this.byChannel.get(channel)
    const first = entries === undefined
    if (!entries) {
      entries = new Set()
      this.byChannel.set(channel, entries)
    }
    const entry: Entry = {handler}
    entries.add(entry)
    const set = entries
    const remove = (): boolean => {
      if (!set.delete(entry)) return false
      if (set.size > 0 || this.byChannel.get(channel) !== set) return false
      this.byChannel.delete(channel)
      return true
    }
    return {first, remove}
  }

  /** Short names of the channels that have at least one subscriber. */
  channels(): string[] {
    return [...this.byChannel.keys()]
  }

  has(channel: string): boolean {
    return this.byChannel.has(channel)
  }

  /** Forgets every subscriber (on stop). */
  clear(): void {
    this.byChannel.clear()
  }

  /**
   * Delivers one raw payload received on `channel`; `source` (the full channel name) only serves
   * log lines. Never throws.
   */
  deliver(channel: string, text: string, source: string): void {
    const entries = this.byChannel.get(channel)
    if (!entries || entries.size === 0) return
    const {logger, ident} = this.options
    const payload = decodePayload(text)
    if (!payload) {
      const line = this.malformed.admit(
        source,
        `notifier: ignored a malformed notification on "${source}": ${preview(text)}`,
      )
      if (line) logger.warn(line)
      return
    }
    if (!inScope(payload, ident)) return
    // A snapshot: a handler may unsubscribe itself (or others) while we iterate.
    for (const {handler} of [...entries]) {
      try {
        const result = handler(payload, channel) as unknown
        if (result instanceof Promise) result.catch((error: unknown) => this.reportHandlerError(source, error))
      } catch (error) {
        this.reportHandlerError(source, error)
      }
    }
  }

  private reportHandlerError(source: string, error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    this.options.logger.error(`notifier: a handler of "${source}" failed: ${message}`)
  }
}

function preview(text: string): string {
  const shown = JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
  return `${shown} (${text.length} characters)`
}
