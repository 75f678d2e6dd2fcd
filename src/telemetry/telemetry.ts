/**
 * Telemetry in the manner of Erlang's :telemetry, which Oban emits through: named events with
 * measurements and metadata, delivered synchronously to attached handlers. A handler that throws
 * is detached and reported (as :telemetry does), so instrumentation can never break job
 * processing. Event names are Oban's, joined by colons: `job:start`, `job:stop`,
 * `job:exception`, `plugin:start`, `peer:election:stop`, `notifier:switch`, ...
 */
export type Measurements = Record<string, number>
export type Metadata = Record<string, unknown>
export type TelemetryHandler = (event: string, measurements: Measurements, metadata: Metadata) => void

interface Attached {
  events: Set<string> | '*'
  handler: TelemetryHandler
}

const STORE = Symbol.for('oban-ts.telemetry')
const globals = globalThis as typeof globalThis & {[STORE]?: Map<string, Attached>}
const handlers: Map<string, Attached> = (globals[STORE] ??= new Map<string, Attached>())

/** Attaches a handler under a unique id to a list of events, or to every event with `'*'`. */
export function attach(id: string, events: readonly string[] | '*', handler: TelemetryHandler): void {
  if (handlers.has(id)) throw new Error(`a telemetry handler with id "${id}" is already attached`)
  handlers.set(id, {events: events === '*' ? '*' : new Set(events), handler})
}

/** Detaches a handler; returns whether it was attached. */
export function detach(id: string): boolean {
  return handlers.delete(id)
}

/**
 * Whether any handler listens to an event, or to any event starting with `prefix` when it ends
 * with a colon. Hot paths (one check per job) skip building metadata nobody reads.
 */
export function isObserved(eventOrPrefix: string): boolean {
  if (handlers.size === 0) return false
  for (const {events} of handlers.values()) {
    if (events === '*') return true
    for (const event of events)
      if (eventOrPrefix.endsWith(':') ? event.startsWith(eventOrPrefix) : event === eventOrPrefix) return true
  }
  return false
}

/** Emits an event to every attached handler. */
export function execute(event: string, measurements: Measurements, metadata: Metadata): void {
  for (const [id, {events, handler}] of handlers) {
    if (events !== '*' && !events.has(event)) continue
    try {
      handler(event, measurements, metadata)
    } catch (error) {
      handlers.delete(id)
      process.emitWarning(`telemetry handler "${id}" threw on ${event} and was detached: ${(error as Error).message}`)
    }
  }
}

/**
 * Runs `fn` inside `<prefix>:start` / `<prefix>:stop` (or `<prefix>:exception`) events with a
 * `duration` in milliseconds; `fn` may return extra stop metadata as `{result, metadata}`. When
 * no handler listens to any `<prefix>:` event, `fn` just runs: a single insert is a hot path.
 */
export async function span<T>(
  prefix: string,
  metadata: Metadata,
  fn: () => Promise<{result: T; metadata?: Metadata}>,
): Promise<T> {
  if (!isObserved(`${prefix}:`)) return (await fn()).result
  const started = performance.now()
  execute(`${prefix}:start`, {systemTime: Date.now()}, metadata)
  try {
    const {result, metadata: extra} = await fn()
    execute(`${prefix}:stop`, {duration: performance.now() - started}, {...metadata, ...extra})
    return result
  } catch (error) {
    execute(
      `${prefix}:exception`,
      {duration: performance.now() - started},
      {...metadata, kind: 'error', reason: error, error},
    )
    throw error
  }
}
