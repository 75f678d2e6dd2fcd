import {dirname, resolve} from 'node:path'
import type {Config} from '../config/config.js'
import {createConfig} from '../instance/create-config.js'
import {findConfigFile, loadConfigFile} from '../config/config-file.js'
import {Oban} from '../instance/oban.js'
import type {PluginCatalog} from '../plugin/loader.js'
import type {Logger} from '../telemetry/logger.js'
import {attach, detach} from '../telemetry/telemetry.js'
import {formatDuration} from '../util/duration.js'
import {coerceError} from '../errors.js'
import {embeddedStartLine} from './embedded-start-line.js'

export interface InstanceRequest {
  /** `--config`; otherwise `oban.config.*` is searched from cwd. */
  configPath?: string
  cwd?: string
  /** Options from flags; they override the config file's. */
  overrides?: Record<string, unknown>
  migrate?: boolean
  dataDir?: string
  logger?: Logger
  /** The plugins a config may name: the CLI's catalogue (plugins/index.ts). */
  builtinPlugins?: PluginCatalog
  /** Told what takes a while before the instance runs (creating the embedded server). */
  announce?: (line: string) => void
}

/** Loads and validates the configuration for `oban start`: file first, then flag overrides. */
export async function loadInstanceConfig(request: InstanceRequest): Promise<{config: Config; file?: string}> {
  const file = request.configPath ?? findConfigFile(request.cwd)
  const fromFile = file ? await loadConfigFile(file) : {}
  const defined = Object.fromEntries(Object.entries(request.overrides ?? {}).filter(([, v]) => v !== undefined))
  return {config: createConfig({...fromFile, ...defined}, file ?? 'config'), file}
}

/** Builds and starts the instance that `oban start` runs. */
export async function startInstance(request: InstanceRequest): Promise<{oban: Oban; file?: string}> {
  const {config, file} = await loadInstanceConfig(request)
  if (request.announce) {
    const line = await embeddedStartLine({databaseUrl: config.databaseUrl, dataDir: request.dataDir, cwd: request.cwd})
    if (line) request.announce(line)
  }
  const oban = new Oban(config, request.logger)
  const stopLogging = logJobFailures(oban)
  // Relative worker paths in a config file mean "next to the file", wherever the command runs
  // (resolved as loadConfigFile resolves the file itself).
  const baseDir = file ? dirname(resolve(file)) : undefined
  try {
    await oban.start({
      migrate: request.migrate,
      cwd: request.cwd,
      baseDir,
      dataDir: request.dataDir,
      builtinPlugins: request.builtinPlugins,
    })
  } catch (error) {
    stopLogging()
    throw error
  }
  oban.untilStopped().then(stopLogging, stopLogging)
  return {oban, file}
}

// A terminal's Ctrl-C reaches every process of the foreground group, and `npx` also forwards it
// to its child: one key press can arrive twice within milliseconds. Only a signal this long
// after the first counts as the second, deliberate one.
const SECOND_SIGNAL_AFTER_MS = 500

/**
 * Resolves on the first SIGINT or SIGTERM. A second signal while the instance drains calls
 * `force` (the command exits at once, leaving running jobs for rescue, as Oban's Lifeline would).
 */
export function untilSignal(force: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: number | undefined
    const handler = (signal: NodeJS.Signals) => {
      if (first === undefined) {
        first = Date.now()
        resolve(signal)
        return
      }
      if (Date.now() - first < SECOND_SIGNAL_AFTER_MS) return
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
      force(signal)
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
    // A child of `oban start --processes` (ProcessSupervisor) has an IPC channel to it: when the
    // supervisor dies without forwarding a signal, the child stops as on SIGTERM instead of running on.
    if (process.channel) {
      process.channel.unref()
      process.once('disconnect', () => handler('SIGTERM'))
    }
  })
}

/**
 * Waits until the instance should stop: resolves with the first SIGINT or SIGTERM (see
 * {@link untilSignal}), or with undefined when the instance stopped on its own; rejects with the
 * reason when it stopped itself after a failure (a plugin escalated), so that the command exits
 * non-zero with that error.
 */
export function untilSignalOrStopped(
  oban: Oban,
  signalled: Promise<NodeJS.Signals>,
): Promise<NodeJS.Signals | undefined> {
  return Promise.race([signalled, oban.untilStopped().then(() => undefined)])
}

// How long a stopped `oban start` lets the event loop wind down on its own.
const STUCK_AFTER_STOP_MS = 1_000

/**
 * After the instance has stopped, nothing of ours holds the event loop; but a job orphaned at
 * the end of the grace period may run on in a worker that ignores its abort signal (Node cannot
 * kill a promise), and its timers or sockets would keep the process alive for as long as it
 * likes. Oban's queue supervisor kills such tasks; the equivalent here is to exit. The timer is
 * unref'd: a process with nothing left exits earlier, by itself, with its own exit code.
 */
export function exitWhenStuck(ms = STUCK_AFTER_STOP_MS): void {
  setTimeout(() => process.exit(), ms).unref()
}

let failureLoggers = 0

/**
 * Logs every failed attempt of the instance's jobs, as Oban's default logger does: the worker, the
 * id, attempt/max, the error's first line and what happens next (a retry after the worker's
 * backoff, or discarded with no attempts left). A retry is a warning, a discard an error, so
 * `--log-level error` keeps only the jobs that gave up. Returns the detach.
 */
export function logJobFailures(oban: Oban): () => void {
  const id = `oban-cli-job-failures-${++failureLoggers}`
  attach(id, ['job:exception'], (_event, _measurements, meta) => {
    if (meta.instance !== oban.name) return
    const attempt = Number(meta.attempt)
    const max = Number(meta.maxAttempts)
    const error = (coerceError(meta.error).message.split('\n')[0] ?? '').trim()
    const line = `job ${String(meta.id)} (${String(meta.worker)}) failed, attempt ${attempt} of ${max}: ${error}`
    if (meta.state === 'discard') oban.logger.error(`${line}; discarded, no attempts left`)
    else oban.logger.warn(`${line}; retrying after a backoff (attempt ${attempt + 1} of ${max})`)
  })
  return () => void detach(id)
}

/**
 * What a stopping `oban start` says while it waits for running jobs: how many, for how long
 * (shutdownGracePeriod), and how not to wait. Undefined when nothing runs.
 */
export function shutdownWaitLine(oban: Oban): string | undefined {
  const running = oban.checkAllQueues().reduce((sum, check) => sum + check.running.length, 0)
  if (running === 0) return undefined
  const grace = formatDuration(oban.config.shutdownGracePeriod)
  return `Waiting up to ${grace} (shutdownGracePeriod) for ${running} running job${running === 1 ? '' : 's'} to finish; press Ctrl-C again to exit now (Lifeline runs ${running === 1 ? 'it' : 'them'} again later).`
}
