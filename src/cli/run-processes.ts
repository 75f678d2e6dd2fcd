import {availableParallelism} from 'node:os'
import {describeDatabase} from '../db/connection-url.js'
import {resolveDatabase} from '../db/resolve-database.js'
import {UsageError} from '../errors.js'
import {ProcessSupervisor, type ChildExit, type RestartBackoff} from '../instance/process-supervisor.js'
import type {PluginEntry} from '../config/config.js'
import {BREAKDOWN_PLUGIN} from './breakdown/source.js'
import {embeddedStartLine} from './embedded-start-line.js'
import {isInteractive, wantsColor} from './terminal.js'
import {loadInstanceConfig, untilSignal, type InstanceRequest} from './run-instance.js'

/** `--processes`: a positive integer, or `auto` for the number of cores. */
export function parseProcessCount(value: string): number {
  if (value === 'auto') return availableParallelism()
  const count = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(count) || count < 1 || count > 256)
    throw new UsageError(`--processes ${value}: give a number of processes from 1 to 256, or auto (one per core)`)
  return count
}

/** The flags of the supervisor's own command line that it sets per child. */
const PER_CHILD_FLAGS = ['--processes', '--node']

/**
 * `oban start`'s arguments as each child gets them: everything the user gave, less `--processes`
 * and `--node` (each child gets its own name), as `--flag value` or `--flag=value`.
 */
export function childStartArgs(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (PER_CHILD_FLAGS.includes(arg)) {
      i++
      continue
    }
    if (PER_CHILD_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) continue
    out.push(arg)
  }
  return out
}

export interface SupervisedRequest extends InstanceRequest {
  processes: number
  /** The arguments that followed `start` on the supervisor's command line. */
  argv: readonly string[]
  /** Normal output (the running line), and log lines. */
  log: (line: string) => void
  logToStderr: (line: string) => void
  backoff?: RestartBackoff
}

/**
 * `oban start --processes N`: N `oban start` processes under this one, named `<node>-1` to
 * `<node>-N`, restarted with backoff when one dies; the first SIGINT or SIGTERM is forwarded to
 * all of them (each drains as `oban start` does), a second one too (each exits at once). The
 * configuration is loaded and validated here first, so a mistake starts nothing; the embedded
 * database, when used, is started (once) here and handed to the children by URL. Resolves with
 * the exit code: 0 when every child stopped cleanly.
 */
export async function runSupervised(request: SupervisedRequest): Promise<number> {
  const {config, file} = await loadInstanceConfig(request)
  const env: NodeJS.ProcessEnv = {...process.env}
  const extraArgs: string[] = []
  let release: (() => Promise<void>) | undefined
  // In a terminal, an instance with Breakdown shows one live table, of the whole instance, drawn
  // here by a viewer node (as `oban breakdown`); the children's own tables (their stdout, a pipe)
  // are then dropped, their log lines (stderr) shown above the table.
  const breakdown =
    isInteractive() && runsBreakdown(config.plugins) ? request.builtinPlugins?.[BREAKDOWN_PLUGIN] : undefined
  const nodes = Array.from({length: request.processes}, (_, i) => `${config.node}-${i + 1}`)
  const args = childStartArgs(request.argv)
  const supervisor = new ProcessSupervisor({
    count: request.processes,
    backoff: request.backoff,
    spec: (index) => ({
      command: process.execPath,
      args: [...process.execArgv, process.argv[1]!, 'start', ...args, ...extraArgs, '--node', nodes[index - 1]!],
      env,
      cwd: request.cwd,
    }),
    onLine: (index, stream, line) => {
      const text = `[${nodes[index - 1]}] ${line}`
      if (stream === 'stderr') request.logToStderr(text)
      else if (!breakdown) request.log(text)
    },
    onEvent: (event) => {
      const node = nodes[event.index - 1]
      if (event.type === 'exited' && !event.stopping)
        request.logToStderr(`[${node}] exited (${exitText(event)}) while running`)
      if (event.type === 'restarting')
        request.logToStderr(
          `[${node}] restarting in ${(event.delayMs / 1000).toFixed(1)} s (restart ${event.restarts})`,
        )
    },
  })
  let signalledAlready: NodeJS.Signals | undefined
  const signalled = untilSignal((second) => {
    request.logToStderr(`Second ${second}: telling every process to exit without waiting.`)
    supervisor.signal(second)
  })
  void signalled.then((signal) => (signalledAlready = signal))
  if (!config.databaseUrl && !process.env.DATABASE_URL && !process.env.OBAN_DATABASE_URL) {
    const line = await embeddedStartLine({dataDir: request.dataDir, cwd: request.cwd})
    if (line) request.logToStderr(line)
    const resolved = await resolveDatabase({dataDir: request.dataDir, cwd: request.cwd})
    const {markInstanceOwner, releaseEmbedded} = await import('../db/embedded/index.js')
    if (resolved.startedEmbedded && resolved.dataDir) await markInstanceOwner(resolved.dataDir).catch(() => undefined)
    release = async () => {
      if (resolved.dataDir) await releaseEmbedded({dataDir: resolved.dataDir, url: resolved.url})
    }
    // The children see an external server: they migrate it as a node on the embedded one would.
    env.DATABASE_URL = resolved.url
    extraArgs.push('--migrate')
  }
  const where = describeDatabase(config.databaseUrl || env.DATABASE_URL || env.OBAN_DATABASE_URL || '')
  // A Ctrl-C while the embedded server started: nothing to start any more.
  if (!signalledAlready) supervisor.start()
  request.log(
    `Oban instance "${config.name}" is running ${request.processes} process${request.processes === 1 ? '' : 'es'} (nodes ${nodes.join(', ')}) on ${where}${file ? `, config ${file}` : ''}. Press Ctrl-C to stop.`,
  )
  const viewer = new AbortController()
  const view =
    breakdown && !signalledAlready
      ? import('./breakdown/run.js').then(async ({runBreakdown}) => {
          await runBreakdown({
            plugin: breakdown,
            instance: config.name,
            prefix: config.prefix,
            databaseUrl: config.databaseUrl || env.DATABASE_URL || env.OBAN_DATABASE_URL,
            color: wantsColor(undefined),
            interactive: true,
            signal: viewer.signal,
            write: (text) => request.log(text),
          })
          // q (or Ctrl-C, a key in the live view) stops the instance as a signal would.
          if (!signalledAlready) process.emit('SIGINT', 'SIGINT')
        })
      : undefined
  const signal = await signalled
  viewer.abort()
  await view?.catch((error: unknown) => request.logToStderr(`live table: ${String(error)}`))
  request.log(`${signal}: stopping ${request.processes} process${request.processes === 1 ? '' : 'es'}...`)
  const exits = await supervisor.stop(signal)
  await release?.().catch((error: unknown) => request.logToStderr(`embedded PostgreSQL: ${String(error)}`))
  const failed = exits.filter((exit) => exit.code !== 0)
  for (const exit of failed) request.logToStderr(`[${nodes[exit.index - 1]}] ${exitText(exit)}`)
  request.log(failed.length === 0 ? 'Stopped.' : `Stopped; ${failed.length} process(es) did not exit cleanly.`)
  return failed.length === 0 ? 0 : 1
}

/** Whether a config's plugin list runs Breakdown (by name, or the plugin itself, with or without options). */
function runsBreakdown(plugins: readonly PluginEntry[]): boolean {
  return plugins.some((entry) => {
    const plugin: unknown = Array.isArray(entry) ? (entry as unknown[])[0] : entry
    const name = typeof plugin === 'string' ? plugin : (plugin as {pluginName?: unknown} | null)?.pluginName
    return name === BREAKDOWN_PLUGIN
  })
}

function exitText(exit: Pick<ChildExit, 'code' | 'signal'>): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`
}
