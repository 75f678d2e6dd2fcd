import {coerceError} from '../../errors.js'
import type {PluginHandle, PluginStatus} from '../../plugin/plugin.js'
import {findPluginHandle} from '../../plugin/lookup.js'
import {attach, detach} from '../../telemetry/telemetry.js'
import type {BreakdownRow} from './model.js'
import {setSafeInterval} from '../../util/timer.js'

/** The Breakdown plugin's name, as configs and the registry know it. */
export const BREAKDOWN_PLUGIN = 'Breakdown'

/** What a view shows at one moment. */
export interface BreakdownSnapshot {
  /** The last breakdown; undefined until the first count. */
  rows?: readonly BreakdownRow[]
  /** When the last breakdown was counted. */
  time?: Date
  /** The plugin's status (`paused` when paused, here or from another process). */
  status: PluginStatus
  /** Why the plugin is restarting or failed, or why the last key press could not be carried out. */
  error?: string
}

/**
 * Where a view gets its breakdowns, and how it pauses, resumes and refreshes them. Shaped for
 * React's `useSyncExternalStore`: `getSnapshot` returns the same object until something changed,
 * and `subscribe` calls back after every change. The actions never throw: a failure becomes the
 * snapshot's `error`.
 */
export interface BreakdownSource {
  // Function-valued properties, not methods: React calls them unbound.
  readonly getSnapshot: () => BreakdownSnapshot
  readonly subscribe: (onChange: () => void) => () => void
  readonly pause: () => Promise<void>
  readonly resume: () => Promise<void>
  readonly refresh: () => Promise<void>
  /** Stops listening (telemetry handler, status timer); the plugin itself runs on. */
  readonly close: () => void
}

export interface PluginSourceOptions {
  /**
   * How often the plugin's status is read (default 250 ms): a pause from another process
   * (`oban plugin pause Breakdown`) changes it without any event. Reading it is an in-process
   * getter, not a query.
   */
  statusEveryMs?: number
}

let sources = 0

/**
 * A {@link BreakdownSource} on the Breakdown plugin of an instance running in this process: rows
 * from its telemetry `breakdown:update` (metadata `{rows, time, instance}`; `breakdown:error` sets
 * the snapshot's error until the next count), the last breakdown
 * and the actions through its registry handle (`last`, `pause`, `resume`, `refresh`), the status
 * from the handle. Throws {@link InstanceNotRunningError} or {@link UnknownPluginError} when the
 * instance does not run the plugin.
 */
export function pluginBreakdownSource(instance: string, options: PluginSourceOptions = {}): BreakdownSource {
  const handle = findPluginHandle(instance, BREAKDOWN_PLUGIN)
  const listeners = new Set<() => void>()
  let snapshot: BreakdownSnapshot = {status: handle.status}
  const update = (changes: Partial<BreakdownSnapshot>) => {
    snapshot = {...snapshot, ...changes}
    for (const listener of [...listeners]) listener()
  }

  const id = `oban-ts.breakdown-view.${instance}.${++sources}`
  attach(id, ['breakdown:update', 'breakdown:error'], (event, _measurements, metadata) => {
    if (metadata.instance !== instance) return
    if (event === 'breakdown:error') {
      update({error: `counting failed (retrying every interval): ${String(metadata.error)}`})
      return
    }
    if (!Array.isArray(metadata.rows)) return
    const time = metadata.time instanceof Date ? metadata.time : new Date()
    update({rows: metadata.rows as BreakdownRow[], time, status: handle.status, error: undefined})
  })

  // The breakdown counted before this source subscribed (the plugin counts as it starts).
  void call(handle, 'last').then(
    (last) => {
      const {rows, time} = (last ?? {}) as {rows?: BreakdownRow[]; time?: string}
      if (snapshot.rows === undefined && Array.isArray(rows))
        update({rows, time: time === undefined ? undefined : new Date(time)})
    },
    () => undefined,
  )

  const timer = setSafeInterval(() => {
    const status = handle.status
    const error = status === 'restarting' || status === 'failed' ? handle.lastError?.message : snapshot.error
    if (status !== snapshot.status || error !== snapshot.error) update({status, error})
  }, options.statusEveryMs ?? 250)
  // A view's timer must never keep the process alive on its own.
  timer.unref()

  const act = async (fn: 'pause' | 'resume' | 'refresh') => {
    try {
      await call(handle, fn)
      update({status: handle.status, error: undefined})
    } catch (error) {
      update({status: handle.status, error: coerceError(error).message})
    }
  }

  return {
    getSnapshot: () => snapshot,
    subscribe: (onChange) => {
      listeners.add(onChange)
      return () => void listeners.delete(onChange)
    },
    pause: () => act('pause'),
    resume: () => act('resume'),
    refresh: () => act('refresh'),
    close: () => {
      detach(id)
      clearInterval(timer)
      listeners.clear()
    },
  }
}

function call(handle: PluginHandle, fn: string): Promise<unknown> {
  return handle.call(fn, {})
}

/**
 * Resolves with the first snapshot that has rows (the plugin's first count); rejects when the
 * plugin fails for good (status `failed`, after its restarts) or when `signal` aborts.
 */
export function firstBreakdown(source: BreakdownSource, signal?: AbortSignal): Promise<BreakdownSnapshot> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const snapshot = source.getSnapshot()
      if (snapshot.rows !== undefined) finish(() => resolve(snapshot))
      else if (snapshot.status === 'failed')
        finish(() => reject(new Error(`the Breakdown plugin failed: ${snapshot.error ?? 'unknown error'}`)))
    }
    const onAbort = () => finish(() => reject(signal?.reason as Error))
    const unsubscribe = source.subscribe(check)
    const finish = (settle: () => void) => {
      unsubscribe()
      signal?.removeEventListener('abort', onAbort)
      settle()
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, {once: true})
    check()
  })
}
