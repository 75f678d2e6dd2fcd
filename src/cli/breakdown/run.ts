import {parseDuration} from '../../util/duration.js'
import {ConfigError} from '../../errors.js'
import {createLogger} from '../../telemetry/logger.js'
import {Oban} from '../../instance/oban.js'
import type {Plugin} from '../../plugin/plugin.js'
import {formatBreakdown, type FormatOptions} from './format.js'
import {breakdownJson, type BreakdownJson} from './model.js'
import {firstBreakdown, pluginBreakdownSource, type BreakdownSource} from './source.js'
import {streamBreakdowns} from './stream.js'
import {untilInterrupted} from '../until-interrupted.js'

/** The plugin's own bounds: its interval option is at least 100ms (plugins/breakdown). */
const MIN_INTERVAL_MS = 100
const DEFAULT_INTERVAL = '10s'

/**
 * Parses `--interval` as the plugin's option would be (`10s`, `1m`, `500ms`, or milliseconds; at
 * least 100ms). Throws a {@link ConfigError} (one line, exit code 2) naming the flag and the value.
 */
export function parseBreakdownInterval(value: string | undefined): number {
  const parsed = parseDuration(value ?? DEFAULT_INTERVAL, {min: MIN_INTERVAL_MS})
  if (!parsed.ok) throw new ConfigError(`--interval ${value}: ${parsed.reason}`)
  return parsed.ms
}

export interface BreakdownRunOptions {
  /** The Breakdown plugin (plugins/breakdown), handed over by the command: src/ names no concrete plugin. */
  plugin: Plugin
  /** `--interval`, as given. */
  interval?: string
  instance: string
  queues?: string[]
  once?: boolean
  json?: boolean
  pivot?: boolean
  zeros?: boolean
  /** Colours in tables (the command decides: --no-color, NO_COLOR, a terminal). */
  color: boolean
  /** A terminal on both ends and not CI: the live Ink view. Otherwise plain output. */
  interactive: boolean
  databaseUrl?: string
  prefix?: string
  dataDir?: string
  /** Standard output: receives each table or JSON line without a trailing newline. */
  write: (text: string) => void
  /** Ends a live run like Ctrl-C (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal
}

/**
 * `oban breakdown`: runs the Breakdown plugin on its own, in a viewer node of the given instance
 * (`viewer: true`): it runs no queue and ignores queue signals (so `oban queue start` never makes
 * it fetch jobs), stages nothing and never leads, and `oban status` lists it as a viewer. Its
 * plugin still answers calls: `oban plugin pause Breakdown --instance NAME` pauses it too.
 *
 * - `once`: waits for the plugin's first count and prints one table (or, with `json`, returns one
 *   object for oclif to print), then stops.
 * - `interactive`: the live Ink view until `q`, Ctrl-C, SIGTERM or `signal`.
 * - otherwise: a plain table per refresh (or NDJSON with `json`) until SIGINT, SIGTERM or `signal`.
 *
 * Everything it started (instance, pool, LISTEN connection, embedded server if it started one) is
 * released before it returns, whichever way it ends.
 */
export async function runBreakdown(options: BreakdownRunOptions): Promise<BreakdownJson | undefined> {
  const intervalMs = parseBreakdownInterval(options.interval)
  const oban = new Oban(
    {
      name: options.instance,
      prefix: options.prefix,
      databaseUrl: options.databaseUrl,
      viewer: true,
      poolSize: 2,
      plugins: [[options.plugin, {interval: intervalMs}]],
    },
    createLogger({level: 'warn', scope: options.instance}),
  )
  const view = {queues: options.queues, zeros: options.zeros}
  const format: FormatOptions = {...view, pivot: options.pivot, color: options.color}
  await oban.start({dataDir: options.dataDir})
  let source: BreakdownSource | undefined
  try {
    source = pluginBreakdownSource(oban.name)
    const meta = {instance: oban.name, node: oban.config.node, intervalMs}
    if (options.once) {
      const snapshot = await firstBreakdown(source, options.signal)
      if (options.json) return breakdownJson(snapshot, oban.name, view)
      options.write(formatBreakdown(snapshot.rows ?? [], format))
      return undefined
    }
    if (options.interactive) {
      const {renderBreakdown} = await import('./render-breakdown.js')
      const live = renderBreakdown({...meta, source, format, captureStderr: true})
      await untilInterrupted({signal: options.signal, also: live.exited})
      await live.stop()
      return undefined
    }
    const unsubscribe = streamBreakdowns(source, meta, {json: options.json, format, write: options.write})
    try {
      await untilInterrupted({signal: options.signal})
    } finally {
      unsubscribe()
    }
    return undefined
  } finally {
    source?.close()
    await oban.stop()
  }
}
