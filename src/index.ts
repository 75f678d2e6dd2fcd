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
export {MAX_AGE_MS, MAX_PRIORITY, MAX_QUEUE_LIMIT, MAX_TIMER_MS} from './util/limits.js'
export {isQueueName, QUEUE_NAME_RULE} from './util/queue-name.js'
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
/** Oban's schema migrations (the functions are in the job-operations block below). `migrateDown` takes `{version: N}` as Oban's down(version: N) (leaves N - 1) or `{to: N}` (leaves N). */
export {CURRENT_VERSION, type MigrateDownOptions, type MigrateUpOptions} from './db/migrations/index.js'

// --- Job ids, timestamps and job operations from code (branch `ids`: issue 12 items 1 and 5,
// issue 14 item 3). Standalone functions take a DatabaseTarget (a pool or a databaseUrl, and a
// prefix) for code that is not a node; `Oban#getJob` / `Oban#listJobs` do the same on a node.
export {toJobId, type JobId, type JobIdInput} from './job/job-id.js'
export type {JobTimestamp} from './job/job.js'
export type {DatabaseTarget} from './db/target.js'
export type {JobFilter, JobOrder, JobOrderField} from './job/filter.js'
export {getJob, listJobs, type JobFilterInput, type JobPage, type ListJobsOptions} from './client/read-jobs.js'
export {
  retryJobs,
  cancelJobs,
  deleteJobs,
  migrateUp,
  migrateDown,
  migrationStatus,
  embeddedDatabaseUrl,
  type JobSelection,
  type JobOperationOptions,
} from './operator/job-operations.js'
export type {JobActionResult, ActionPreview} from './operator/act-on-jobs.js'
export type {MigrationResult, MigrationStatus, DownPlan} from './db/migrations/index.js'
// --- end of the `ids` block

/** Identity helper that gives a config file types: `export default defineConfig({...})`. */
export function defineConfig<T extends ObanOptions>(config: T): T {
  return config
}
