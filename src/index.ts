// The public library API of oban-ts. Everything `oban start` does is reachable from here.
import type {ObanOptions} from './config/config.js'

export {Oban, type StartOptions, type DatabaseInfo, type QueueTarget} from './instance/oban.js'
export {createConfig} from './instance/create-config.js'
export {
  ProcessSupervisor,
  type ChildExit,
  type ChildSpec,
  type ProcessSupervisorOptions,
  type RestartBackoff,
  type SupervisorEvent,
} from './instance/process-supervisor.js'
export {
  defaultNode,
  type Config,
  type ObanOptions,
  type QueueOptions,
  type Duration,
  type LogLevel,
} from './config/config.js'
export {findConfigFile, loadConfigFile} from './config/config-file.js'
export {defineWorker, isWorker, type Worker, type WorkerDefinition, type PerformContext} from './job/worker.js'
export {ok, error, cancel, discard, snooze, type JobResult} from './job/result.js'
export {WorkerRegistry, loadWorkers} from './job/worker-registry.js'
export type {Job, JobState, JobError, JobArgs} from './job/job.js'
export {JOB_STATES} from './job/job.js'
export type {JobSpec, JobOptions, UniqueOptions} from './job/spec.js'
export type {InsertResult} from './client/insert.js'
export type {QueueCheck} from './queue/producer.js'
export {whereis, instanceNames} from './plugin/registry.js'
export {definePlugin, isPlugin} from './plugin/define.js'
export {PluginBase, type Ticker} from './plugin/base.js'
export {durationOption} from './plugin/options.js'
export {pluginHandles, findPluginHandle} from './plugin/lookup.js'
export {checkPluginArgs, parsePluginArg, pluginFunction} from './plugin/arguments.js'
export {
  callPluginFunction,
  type NodeCallResult,
  type PluginCallOptions,
  type PluginCallResult,
} from './control/client.js'
export {PluginCallFailedError} from './control/errors.js'
export {listNodes, type ListNodesOptions} from './control/nodes.js'
export type {NodePresence, PresenceFunction, PresencePlugin, PresenceQueue} from './cluster/presence-record.js'
export type {PluginEntry, PluginRef} from './config/config.js'
export type {PluginSupervisionOptions} from './config/config.js'
export {
  RESERVED_FUNCTION_NAMES,
  type Plugin,
  type PluginArgType,
  type PluginContext,
  type PluginDefinition,
  type PluginFunction,
  type PluginFunctionArg,
  type PluginHandle,
  type PluginHelpers,
  type PluginService,
  type PluginStatus,
  type Repo,
} from './plugin/plugin.js'
export {attach, detach, type TelemetryHandler} from './telemetry/telemetry.js'
export {createLogger, type Logger} from './telemetry/logger.js'
export {defaultBackoff} from './job/backoff.js'
export * from './errors.js'

/** Identity helper that gives a config file types: `export default defineConfig({...})`. */
export function defineConfig<T extends ObanOptions>(config: T): T {
  return config
}
