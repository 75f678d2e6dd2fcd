import {findConfigFile} from '../../config/config-file.js'
import type {FormatOptions} from './format.js'
import {BREAKDOWN_PLUGIN, pluginBreakdownSource} from './source.js'
import {streamBreakdowns} from './stream.js'
import type {Oban} from '../../instance/oban.js'
import type {PluginEntry} from '../../config/config.js'
import {pluginHandles} from '../../plugin/lookup.js'
import {isInteractive, wantsColor} from '../terminal.js'
import {DEFAULT_MAINTENANCE_PLUGINS} from '../default-plugins.js'

/**
 * What `oban start` runs when there is no config file at all (none given, none found): queue
 * `default` with 10 slots and the Breakdown plugin, so that a newcomer's first `npx oban start`
 * shows the live table at once, with Lifeline and Pruner (see DEFAULT_MAINTENANCE_PLUGINS) so that
 * an interrupted job does not stay executing for ever. `--queues` and `--plugin` still replace these. With a config file
 * (even an empty one) nothing is added: the file says what runs.
 */
export function defaultsWithoutConfig(
  configPath: string | undefined,
  cwd?: string,
): {queues?: Record<string, number>; plugins?: PluginEntry[]} {
  if (configPath !== undefined || findConfigFile(cwd) !== undefined) return {}
  return {queues: {default: 10}, plugins: [BREAKDOWN_PLUGIN, ...DEFAULT_MAINTENANCE_PLUGINS]}
}

export interface StartBreakdownOptions {
  /** Default: a terminal on stdin and stdout, and not CI. */
  interactive?: boolean
  /** Default: colours on a colour terminal unless NO_COLOR. */
  color?: boolean
  /** Plain output (one table per refresh); default stdout. */
  write?: (text: string) => void
}

/**
 * Shows the Breakdown of an instance that `oban start` runs, for as long as it runs; nothing when
 * the instance does not run the Breakdown plugin. In a terminal: the live Ink view under the log
 * lines (which it routes above its frame); `q` and Ctrl-C there stop the instance as SIGINT does
 * (the same handler receives them, so a second Ctrl-C still forces the exit). Otherwise (a pipe,
 * a file, systemd, CI): the log lines stay on stderr as they are, and each breakdown is printed to
 * stdout as a plain table with a timestamp header, as the seed plugin of Oban's guide prints each
 * breakdown.
 *
 * Returns the function that takes the view down (call it before logging the shutdown); it
 * resolves once the terminal is released.
 */
export async function showStartBreakdown(
  oban: Oban,
  options: StartBreakdownOptions = {},
): Promise<() => Promise<void>> {
  const handle = pluginHandles(oban.name).find((h) => h.pluginName === BREAKDOWN_PLUGIN)
  if (!handle) return async () => {}
  const source = pluginBreakdownSource(oban.name)
  const meta = {instance: oban.name, node: oban.config.node, intervalMs: intervalOf(handle)}
  const format: FormatOptions = {color: options.color ?? wantsColor(undefined)}
  if (options.interactive ?? isInteractive()) {
    const {renderBreakdown} = await import('./render-breakdown.js')
    const live = renderBreakdown({
      ...meta,
      source,
      format,
      captureStderr: true,
      // Raw mode turns Ctrl-C into a key: hand it to the process's SIGINT handlers (oban start's).
      onQuit: () => void process.emit('SIGINT', 'SIGINT'),
    })
    return async () => {
      await live.stop()
      source.close()
    }
  }
  const write = options.write ?? ((text: string) => void process.stdout.write(`${text}\n`))
  const unsubscribe = streamBreakdowns(source, meta, {format, write})
  return async () => {
    unsubscribe()
    source.close()
  }
}

/** The plugin's validated interval (ms), which its registry handle keeps with its options. */
function intervalOf(handle: object): number | undefined {
  const options = (handle as {options?: {interval?: unknown}}).options
  return typeof options?.interval === 'number' ? options.interval : undefined
}

/**
 * The line `oban start` prints when it found no config file: what it runs instead, as flags may
 * have replaced the default queue or the default Breakdown plugin.
 */
export function noConfigLine(queues: Readonly<Record<string, {limit: number}>>, plugins: readonly unknown[]): string {
  const queueList = Object.entries(queues).map(([name, q]) => `${name} (limit ${q.limit})`)
  const pluginNames = plugins.map((entry) => {
    const plugin = Array.isArray(entry) ? (entry as unknown[])[0] : entry
    if (typeof plugin === 'string') return plugin
    const name = (plugin as {pluginName?: unknown} | null)?.pluginName
    return typeof name === 'string' ? name : 'a plugin'
  })
  const running = queueList.length > 0 ? `queue${queueList.length > 1 ? 's' : ''} ${queueList.join(', ')}` : 'no queue'
  const withPlugins =
    pluginNames.length > 0 ? ` with the ${pluginNames.join(', ')} plugin${pluginNames.length > 1 ? 's' : ''}` : ''
  return `No oban.config.* found: running ${running}${withPlugins}.`
}
