import {hostname} from 'node:os'
import {z} from 'zod'
import {ConfigError} from '../errors.js'
import {parseDuration} from '../util/duration.js'
import {validatePrefix} from '../db/identifier.js'
import {didYouMean} from '../util/suggest.js'
import {queueNameProblem} from '../util/queue-name.js'
import {formatCount} from '../util/format-count.js'
import {MAX_BATCH, MAX_POOL_SIZE, MAX_QUEUE_LIMIT} from '../util/limits.js'

import type {LogLevel} from '../telemetry/logger.js'
import type {Duration} from '../util/duration.js'

export type {Duration, LogLevel}

/**
 * A plugin object as `plugins` holds it: what `definePlugin` returns (its contract is in
 * plugin/plugin.ts, which builds on this module, so it is named here by shape only).
 */
export interface PluginObject {
  readonly pluginName: string
}

/**
 * A plugin as a config names it: the plugin object (TypeScript and JavaScript configs import
 * it), a built-in plugin's name (`'Breakdown'`), or a module path (`'./plugins/my-plugin.js'`,
 * resolved against the config file's directory; its default export, or its only exported
 * plugin, is used).
 */
export type PluginRef = PluginObject | string

/** An entry of `plugins`: a plugin alone (default options) or `[plugin, options]`. */
export type PluginEntry = PluginRef | readonly [PluginRef] | readonly [PluginRef, Record<string, unknown> | undefined]

/** Options of one queue. A bare number in `queues` means `{limit: n}`. */
export interface QueueOptions {
  /** Jobs this node runs at once for the queue (per node, as in Oban): 1 to 10,000. */
  limit: number
  /** Start paused (not persisted: a restart restores the configured state). */
  paused?: boolean
  /** Per-queue override of the instance's dispatch cooldown. */
  dispatchCooldown?: Duration
}

/** What a user passes to `new Oban(...)` or writes in `oban.config.*`. */
export interface ObanOptions {
  /** Instance name, unique per process; Oban's `name` (default `Oban`). */
  name?: string
  /** This process's node name; unique per process (default `<hostname>-<pid>`). */
  node?: string
  /** Schema holding Oban's tables (default `public`). */
  prefix?: string
  /** PostgreSQL URL; without it the instance uses DATABASE_URL or the embedded server. */
  databaseUrl?: string
  /** Connections in the instance's pool (default 10). */
  poolSize?: number
  /** Queues this node runs: `{default: 10, events: {limit: 5, paused: true}}`. */
  queues?: Record<string, number | QueueOptions> | false
  /** Workers this node can run; validated by the worker loader. */
  workers?: unknown[] | string
  /**
   * Plugins: plugin objects, built-in plugins by name (`'Breakdown'`) or module paths, alone or
   * as `[plugin, options]`. Plugin objects' options are validated with the config; names and
   * paths when the instance starts, before it connects. `false` disables plugins and leadership.
   */
  plugins?: readonly PluginEntry[] | false
  /** How crashing plugins are restarted, and what happens when one keeps crashing. */
  pluginSupervision?: PluginSupervisionOptions
  /** Pause between a wake-up and the fetch that follows, to coalesce bursts (default 5ms). */
  dispatchCooldown?: Duration
  /** Notify producers on insert (default true). */
  insertTrigger?: boolean
  /** How long a stopping queue waits for running jobs (default 15s). */
  shutdownGracePeriod?: Duration
  /** Moves due scheduled/retryable jobs to available (leader only); `false` disables it. */
  stager?: {interval?: Duration; limit?: number} | false
  /** Whether this node may become leader (default true; false with `plugins: false`). */
  peer?: boolean
  /**
   * `postgres` (LISTEN/NOTIFY, default), `isolated` (in-process only) or `none` (also `false`):
   * no LISTEN connection at all, the node polls (producers every second) and hears no signal,
   * plugin call or leadership notice; its own notifications still go out through the pool. See
   * README "Running through PgBouncer".
   */
  notifier?: 'postgres' | 'isolated' | 'none' | false
  /**
   * A direct URL (not through a transaction pooler) for the connections that need a session of
   * their own: the notifier's LISTEN and the leader's lease session. Default: `databaseUrl`.
   * Also OBAN_NOTIFIER_URL.
   */
  notifierUrl?: string
  /**
   * `named` (default): statements are prepared once per connection. `unnamed`: never a named
   * prepared statement, and no session state on pool connections, for a `databaseUrl` that goes
   * through PgBouncer in transaction mode (as Ecto's `prepare: :unnamed`).
   */
  prepare?: 'named' | 'unnamed'
  /** Log threshold for the instance's logger (default `info`). */
  logLevel?: LogLevel
  /**
   * A viewer node (default false), such as `oban breakdown`: it runs its plugins and answers
   * their calls, but runs no queue, ignores queue signals (start, scale, pause...) and insert
   * notifications, never leads and stages nothing; its presence row says `viewer`. It refuses
   * `queues` and `peer: true`.
   */
  viewer?: boolean
}

/**
 * Plugin supervision. A crashed plugin is restarted after `backoff` (doubling with each further
 * crash within `period`, up to `maxBackoff`). A plugin that crashes more than `maxRestarts` times
 * within `period` is given up: `isolate` (default) marks it failed, logs it and keeps the
 * instance and its queues running; `escalate` stops the instance, as Oban does. Defaults: 5
 * restarts in 60s, Oban's Harbor intensity; backoff 100ms up to 10s.
 */
export interface PluginSupervisionOptions {
  maxRestarts?: number
  period?: Duration
  onExhausted?: 'isolate' | 'escalate'
  backoff?: Duration
  maxBackoff?: Duration
}

/** The validated, normalised, frozen configuration every part of an instance reads. */
export interface Config {
  readonly name: string
  readonly node: string
  readonly prefix: string
  readonly databaseUrl: string | undefined
  readonly poolSize: number
  readonly queues: Readonly<Record<string, Readonly<NormalizedQueue>>>
  readonly workers: readonly unknown[] | string
  readonly plugins: readonly PluginEntry[]
  readonly pluginSupervision: Readonly<{
    maxRestarts: number
    period: number
    onExhausted: 'isolate' | 'escalate'
    backoff: number
    maxBackoff: number
  }>
  readonly dispatchCooldown: number
  readonly insertTrigger: boolean
  readonly shutdownGracePeriod: number
  readonly stager: Readonly<{interval: number; limit: number}> | false
  readonly peer: boolean
  readonly notifier: NotifierMode
  readonly notifierUrl: string | undefined
  readonly prepare: 'named' | 'unnamed'
  readonly logLevel: LogLevel
  /** A viewer: no queues, no signals, no leadership, no stager (see {@link ObanOptions.viewer}). */
  readonly viewer: boolean
}

/** How a node hears other nodes (see {@link ObanOptions.notifier}). */
export type NotifierMode = 'postgres' | 'isolated' | 'none'

export interface NormalizedQueue {
  limit: number
  paused: boolean
  dispatchCooldown: number
}

const duration = (min = 1) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const parsed = parseDuration(value, {min})
    if (parsed.ok) return parsed.ms
    ctx.addIssue({code: 'custom', message: parsed.reason})
    return z.NEVER
  })

/** An integer in `[min, max]`; the message gives the range (README, "Ranges"). */
const integer = (min: number, max: number) => {
  const message = `expected an integer from ${formatCount(min)} to ${formatCount(max)}`
  return z.number({error: message}).int(message).min(min, message).max(max, message)
}

const queueLimit = integer(1, MAX_QUEUE_LIMIT)

const queueSchema = z.union([
  queueLimit,
  z.strictObject({limit: queueLimit, paused: z.boolean().optional(), dispatchCooldown: duration().optional()}),
])

const schema = z.strictObject({
  name: z.string().min(1).regex(/^\S+$/, 'an instance name cannot contain whitespace').optional(),
  node: z.string().min(1).regex(/^\S+$/, 'a node name cannot contain whitespace').optional(),
  prefix: z.string().optional(),
  databaseUrl: z.string().optional(),
  poolSize: integer(1, MAX_POOL_SIZE).optional(),
  queues: z.union([z.literal(false), z.record(z.string(), queueSchema)]).optional(),
  workers: z.union([z.array(z.unknown()), z.string()]).optional(),
  plugins: z.union([z.literal(false), z.array(z.unknown())]).optional(),
  pluginSupervision: z
    .strictObject({
      maxRestarts: integer(0, MAX_BATCH).optional(),
      period: duration().optional(),
      onExhausted: z.enum(['isolate', 'escalate']).optional(),
      backoff: duration(0).optional(),
      maxBackoff: duration(0).optional(),
    })
    .optional(),
  dispatchCooldown: duration().optional(),
  insertTrigger: z.boolean().optional(),
  shutdownGracePeriod: duration(0).optional(),
  stager: z
    .union([
      z.literal(false),
      z.strictObject({interval: duration().optional(), limit: integer(1, MAX_BATCH).optional()}),
    ])
    .optional(),
  peer: z.boolean().optional(),
  notifier: z.union([z.enum(['postgres', 'isolated', 'none']), z.literal(false)]).optional(),
  notifierUrl: z.string().min(1, 'expected a postgres:// URL').optional(),
  prepare: z.enum(['named', 'unnamed']).optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  viewer: z.boolean().optional(),
})

/** Every top-level option name, for suggestions and documentation. */
export const OPTION_NAMES: readonly string[] = Object.keys(schema.shape)

/** The default node name: unique per process, so leadership and signal idents never collide. */
export function defaultNode(): string {
  return `${hostname()}-${process.pid}`
}

/**
 * Validates options and returns the frozen {@link Config}. Every problem is reported at once, one
 * line each, naming where it is (`queues.events.limit: expected a positive integer`), with a
 * suggestion for misspelt option names. Throws {@link ConfigError}. Plugin entries are only
 * checked for being a list here: `createConfig` (instance/create-config.ts) checks each entry
 * and its options, which needs the plugin contract that builds on this module.
 */
export function parseConfig(options: ObanOptions | Record<string, unknown> = {}, source = 'config'): Config {
  const result = schema.safeParse(options)
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, source))
  const o = result.data
  const prefix = o.prefix ?? 'public'
  try {
    validatePrefix(prefix)
  } catch (error) {
    throw new ConfigError(`${source}: prefix: ${(error as Error).message}`)
  }
  const dispatchCooldown = o.dispatchCooldown ?? 5
  const queues: Record<string, NormalizedQueue> = {}
  const queueProblems: string[] = []
  for (const [name, queue] of Object.entries(o.queues || {})) {
    const problem = queueNameProblem(name)
    if (problem !== undefined)
      queueProblems.push(`${source}: queues: invalid queue name ${JSON.stringify(name)}: ${problem}`)
    queues[name] = Object.freeze(
      typeof queue === 'number'
        ? {limit: queue, paused: false, dispatchCooldown}
        : {
            limit: queue.limit,
            paused: queue.paused ?? false,
            dispatchCooldown: queue.dispatchCooldown ?? dispatchCooldown,
          },
    )
  }
  if (queueProblems.length > 0) throw new ConfigError(queueProblems.join('\n'))
  const viewer = o.viewer ?? false
  if (viewer) {
    const problems: string[] = []
    if (o.queues && Object.keys(o.queues).length > 0)
      problems.push(`${source}: queues: a viewer runs no queues (viewer: true)`)
    if (o.peer === true) problems.push(`${source}: peer: a viewer never leads (viewer: true)`)
    if (problems.length > 0) throw new ConfigError(problems.join('\n'))
  }
  const plugins = (o.plugins === false ? [] : (o.plugins ?? [])) as PluginEntry[]
  const supervision = o.pluginSupervision ?? {}
  return Object.freeze({
    name: o.name ?? 'Oban',
    node: o.node ?? defaultNode(),
    prefix,
    databaseUrl: o.databaseUrl,
    poolSize: o.poolSize ?? 10,
    queues: Object.freeze(queues),
    workers: Object.freeze(o.workers ?? []),
    plugins: Object.freeze(plugins),
    pluginSupervision: Object.freeze({
      maxRestarts: supervision.maxRestarts ?? 5,
      period: supervision.period ?? 60_000,
      onExhausted: supervision.onExhausted ?? 'isolate',
      backoff: supervision.backoff ?? 100,
      maxBackoff: supervision.maxBackoff ?? 10_000,
    }),
    dispatchCooldown,
    insertTrigger: o.insertTrigger ?? true,
    shutdownGracePeriod: o.shutdownGracePeriod ?? 15_000,
    stager:
      o.stager === false || viewer
        ? false
        : Object.freeze({interval: o.stager?.interval ?? 1000, limit: o.stager?.limit ?? 5000}),
    // Oban: `plugins: false` also turns leadership off.
    peer: o.plugins === false || viewer ? false : (o.peer ?? true),
    notifier: o.notifier === false ? 'none' : (o.notifier ?? 'postgres'),
    notifierUrl: o.notifierUrl,
    prepare: o.prepare ?? 'named',
    logLevel: o.logLevel ?? 'info',
    viewer,
  })
}

function formatIssues(issues: z.core.$ZodIssue[], source: string): string {
  const lines: string[] = []
  for (const issue of issues) {
    const path = issue.path.map(String).join('.')
    const where = path === '' ? source : `${source}: ${path}`
    if (issue.code === 'unrecognized_keys') {
      const known = path === '' ? OPTION_NAMES : knownKeysAt(issue.path)
      for (const key of issue.keys) lines.push(`${where}: unknown option "${key}"${didYouMean(key, known)}`)
    } else if (issue.code === 'invalid_union') {
      lines.push(`${where}: ${unionMessage(path)}`)
    } else {
      lines.push(`${where}: ${issue.message}`)
    }
  }
  return lines.join('\n')
}

function knownKeysAt(path: PropertyKey[]): string[] {
  if (path[0] === 'queues') return ['limit', 'paused', 'dispatchCooldown']
  if (path[0] === 'stager') return ['interval', 'limit']
  if (path[0] === 'pluginSupervision') return ['maxRestarts', 'period', 'onExhausted', 'backoff', 'maxBackoff']
  return []
}

function unionMessage(path: string): string {
  if (path.startsWith('queues.'))
    return `expected a limit (an integer from 1 to ${formatCount(MAX_QUEUE_LIMIT)}) or {limit, paused?, dispatchCooldown?}`
  if (path === 'queues') return 'expected an object of queue names to limits, or false'
  if (path === 'plugins') return 'expected a list of plugins, or false'
  if (path === 'workers') return 'expected a list of workers or a folder path'
  if (path === 'stager') return 'expected {interval?, limit?} or false'
  if (path === 'notifier') return 'expected "postgres", "isolated", "none" or false'
  return 'invalid value'
}
