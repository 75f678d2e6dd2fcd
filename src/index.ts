// The public library API of oban-ts (`import ... from 'oban-ts'`). Everything `oban start` does is
// reachable from here. The list is deliberate: every type a public signature names is exported
// (so users can name it and editors show it without internal paths), and nothing the CLI or the
// built-in plugins use internally is; they import those by path. test/e2e/public-api.test.ts
// compares the built package's exports with test/e2e/public-api.txt.
import type {ObanOptions} from './config/config.js'

// zod 4, the version plugin option schemas are checked with: `import {z} from 'oban-ts'` needs no
// zod of your own (a zod 3 schema is refused by definePlugin with a message saying so).
export {z} from 'zod'

// An instance: options, start and stop, inserts, queue signals.
export {Oban, type StartOptions, type DatabaseInfo, type QueueTarget} from './instance/oban.js'
export type {DatabaseSource} from './db/resolve-database.js'
export type {PluginCatalog} from './plugin/loader.js'
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
  type NormalizedQueue,
  type Duration,
  type LogLevel,
  type PluginEntry,
  type PluginObject,
  type PluginRef,
  type PluginSupervisionOptions,
  type NotifierMode,
} from './config/config.js'
export {findConfigFile, loadConfigFile} from './config/config-file.js'
export type {Queryable} from './db/pool.js'

// Workers, jobs and their outcomes.
export {defineWorker, isWorker, type Worker, type WorkerDefinition, type PerformContext} from './job/worker.js'
export {
  ok,
  error,
  cancel,
  discard,
  snooze,
  type JobResult,
  type OkResult,
  type ErrorResult,
  type CancelResult,
  type DiscardResult,
  type SnoozeResult,
  type JobResultBrand,
} from './job/result.js'
export {WorkerRegistry, loadWorkers, type LoadWorkersOptions, type ResolvedWorker} from './job/worker-registry.js'
export {JOB_STATES, type Job, type JobState, type JobError, type JobArgs} from './job/job.js'
export type {JobSpec, JobOptions} from './job/spec.js'
export type {
  UniqueOptions,
  UniqueField,
  UniqueStateGroup,
  UniqueTimestamp,
  ReplaceField,
  ReplaceOption,
} from './job/unique-options.js'
export type {InsertResult, InsertedResult, UnsavedJob} from './client/insert.js'
export {ObanClient, type ObanClientOptions, type ClientQueueTarget} from './client/oban-client.js'
export type {CancelledJob} from './engine/cancel-jobs.js'
export type {QueueCheck} from './queue/producer.js'
export {defaultBackoff} from './job/backoff.js'

// Plugins: defining them, finding them in this process, calling them across processes.
export {definePlugin, isPlugin} from './plugin/define.js'
export {PluginBase, type Ticker} from './plugin/base.js'
export {durationOption} from './plugin/options.js'
export {whereis, type RegistryKey} from './plugin/registry.js'
export {pluginHandles} from './plugin/lookup.js'

// The documented ranges of limits, priorities and durations, and the one rule for queue names.
export {MAX_AGE_MS, MAX_PRIORITY, MAX_QUEUE_LIMIT, MAX_TIMER_MS} from './util/limits.js'
export {isQueueName, QUEUE_NAME_RULE} from './util/queue-name.js'
export {
  RESERVED_FUNCTION_NAMES,
  type Plugin,
  type PluginArgType,
  type PluginContext,
  type PluginDefinition,
  type PluginFunction,
  type PluginFunctionArg,
  type PluginFunctionBuilder,
  type PluginFunctions,
  type PluginFunctionArgs,
  type PluginFunctionResult,
  type PluginSpec,
  type PluginRunArgs,
  type PluginCallArgs,
  type PluginArgValue,
  type PluginArgInput,
  type JsonValue,
  type FunctionsOf,
  type PluginHandle,
  type PluginHelper,
  type PluginHelpers,
  type PluginService,
  type PluginStatus,
  type Repo,
} from './plugin/plugin.js'
export type {Notifier, NotificationHandler, NotifierStatus, Payload, Unlisten} from './notifier/notifier.js'
export {
  callPluginFunction,
  type NodeCallResult,
  type PluginCallOptions,
  type PluginCallResult,
} from './control/client.js'
export type {ReplyError} from './control/protocol.js'
export {PluginCallFailedError} from './control/errors.js'
export {listNodes, type ListNodesOptions} from './control/nodes.js'
export type {
  NodeConnections,
  NodePresence,
  PresenceFunction,
  PresencePlugin,
  PresenceQueue,
} from './cluster/presence-record.js'

// Telemetry and logging.
export {attach, detach, type TelemetryHandler, type Measurements, type Metadata} from './telemetry/telemetry.js'
export {createLogger, type Logger, type LoggerOptions} from './telemetry/logger.js'

// Errors: every error the library throws is an ObanError with a `code`.
export {
  ObanError,
  ConfigError,
  DatabaseUrlError,
  DatabaseUnreachableError,
  EmbeddedPostgresError,
  InvalidPrefixError,
  SchemaIncompatibleError,
  SchemaNotMigratedError,
  MigrationVersionError,
  MigrationError,
  JobValidationError,
  UnknownWorkerError,
  InvalidChannelError,
  NotificationPayloadError,
  NotificationTooLargeError,
  InstanceNotRunningError,
  UnknownPluginError,
  UnknownPluginFunctionError,
  PluginArgumentError,
  PluginNotRunningError,
  PluginFailedError,
  JobFilterError,
  JobNotFoundError,
  InvalidJobIdError,
  type JobIssue,
} from './errors.js'

/** Oban's schema migrations (the functions are in the job-operations block below). `migrateDown` takes `{version: N}` as Oban's down(version: N) (leaves N - 1) or `{to: N}` (leaves N). */
export {CURRENT_VERSION, type MigrateDownOptions, type MigrateUpOptions} from './db/migrations/index.js'

// --- Job ids, timestamps and job operations from code (branch `ids`: issue 12 items 1 and 5,
// issue 14 item 3). Standalone functions take a DatabaseTarget (a pool or a databaseUrl, and a
// prefix) for code that is not a node; `Oban#getJob` / `Oban#listJobs` do the same on a node.
export {toJobId, type JobId, type JobIdInput} from './job/job-id.js'
export type {JobTimestamp} from './job/job.js'
export type {DatabaseTarget} from './db/target.js'
export {JOB_ORDER_FIELDS, type JobFilter, type JobOrder, type JobOrderField} from './job/filter.js'
export type {JobActionName} from './operator/bulk-actions.js'
export type {Pool} from './db/pool.js'
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
