import type {PresenceRecord} from '../engine/presence-list.js'
import type {PluginArgType, PluginFunctionArg, PluginHandle, PluginStatus} from '../plugin/plugin.js'
import type {QueueCheck} from '../queue/producer.js'
import {coerceError} from '../errors.js'
import {isRecord} from '../util/guards.js'
import type {NotifierMode} from '../config/config.js'

/**
 * What a node publishes about itself in the presence table (`<prefix>.oban_ts_nodes`), and what
 * `oban plugin list`, `oban status` and `oban queue list` read back. The JSON columns are written by
 * whichever version of oban-ts runs on each node, so reading is defensive: entries of an unknown
 * shape are dropped rather than trusted.
 */

/** An interface function as declared: what the CLI validates arguments against before sending. */
export interface PresenceFunction {
  name: string
  description: string
  args: PluginFunctionArg[]
}

/** A plugin of a node: its state now and its interface functions. */
export interface PresencePlugin {
  name: string
  description?: string
  status: PluginStatus
  restarts: number
  /** The last crash's message, when restarting or failed. */
  lastError?: string
  leaderOnly: boolean
  functions: PresenceFunction[]
}

/** A queue as this node runs it. */
export interface PresenceQueue {
  queue: string
  limit: number
  paused: boolean
  /** Jobs executing on this node now. */
  running: number
}

/**
 * A live node of an instance. `notifier` tells whether it can hear control requests from other
 * processes (`postgres`), only its own (`isolated`) or none at all (`none`, a polling node).
 */
export interface NodePresence {
  instance: string
  node: string
  pid: number
  hostname: string
  startedAt: Date
  seenAt: Date
  expiresAt: Date
  leader: boolean
  notifier: NotifierMode
  /** `viewer`: a node that runs plugins only (`oban breakdown`): no queues, signals or leadership. */
  role: 'node' | 'viewer'
  /** Absent in rows of older versions. */
  connections?: NodeConnections
  plugins: PresencePlugin[]
  queues: PresenceQueue[]
}

/** The parts of a node's row that change while it runs. */
export interface NodeSnapshot {
  plugins: PresencePlugin[]
  queues: PresenceQueue[]
  /**
   * `role` is written only for a viewer: rows of older versions, and of other nodes, have none.
   * `leaseLock`: this node holds the lease lock while it leads (see engine/peer-lock.ts).
   */
  meta: {
    leader: boolean
    notifier: NotifierMode
    role?: 'viewer'
    leaseLock?: boolean
    connections?: NodeConnections
  }
}

/**
 * The database connections a node holds open, at its last presence write: the pool's (at most
 * `poolSize`, opened on demand, closed after 10 s idle) and its own sessions (the LISTEN
 * connection of the notifier, the leader's lease session), which go to `notifierUrl` when set.
 */
export interface NodeConnections {
  pool: number
  poolSize: number
  notifier: number
  lease: number
}

// Longer errors would only bloat a row rewritten every few seconds.
const MAX_ERROR_CHARS = 500

/** Describes a running plugin for the presence table. */
export function describePlugin(handle: PluginHandle): PresencePlugin {
  const {definition} = handle.plugin
  const lastError = handle.lastError ? coerceError(handle.lastError).message.slice(0, MAX_ERROR_CHARS) : undefined
  return {
    name: handle.pluginName,
    ...(definition.description === undefined ? {} : {description: definition.description}),
    status: handle.status,
    restarts: handle.restarts,
    ...(lastError === undefined ? {} : {lastError}),
    leaderOnly: definition.leaderOnly === true,
    functions: Object.entries(definition.functions ?? {}).map(([name, fn]) => ({
      name,
      description: fn.description,
      args: (fn.args ?? []).map((arg) => ({
        name: arg.name,
        description: arg.description,
        type: arg.type,
        ...(arg.required === undefined ? {} : {required: arg.required}),
      })),
    })),
  }
}

/** Describes a local producer for the presence table. */
export function describeQueue(check: QueueCheck): PresenceQueue {
  return {queue: check.queue, limit: check.limit, paused: check.paused, running: check.running.length}
}

const STATUSES: readonly PluginStatus[] = ['starting', 'running', 'paused', 'restarting', 'failed', 'stopped']
const ARG_TYPES: readonly PluginArgType[] = ['string', 'integer', 'number', 'boolean', 'duration', 'json']

/** Reads a stored row back, dropping whatever does not have the expected shape. */
export function toNodePresence(record: PresenceRecord): NodePresence {
  const meta = isRecord(record.meta) ? record.meta : {}
  return {
    instance: record.instance,
    node: record.node,
    pid: record.pid,
    hostname: record.hostname,
    startedAt: record.startedAt,
    seenAt: record.seenAt,
    expiresAt: record.expiresAt,
    leader: meta.leader === true,
    notifier: meta.notifier === 'isolated' || meta.notifier === 'none' ? meta.notifier : 'postgres',
    role: meta.role === 'viewer' ? 'viewer' : 'node',
    ...readConnections(meta.connections),
    plugins: (Array.isArray(record.plugins) ? record.plugins : []).flatMap(readPlugin),
    queues: (Array.isArray(record.queues) ? record.queues : []).flatMap(readQueue),
  }
}

function readPlugin(value: unknown): PresencePlugin[] {
  if (!isRecord(value) || typeof value.name !== 'string') return []
  const status = STATUSES.includes(value.status as PluginStatus) ? (value.status as PluginStatus) : 'running'
  return [
    {
      name: value.name,
      ...(typeof value.description === 'string' ? {description: value.description} : {}),
      status,
      restarts: typeof value.restarts === 'number' ? value.restarts : 0,
      ...(typeof value.lastError === 'string' ? {lastError: value.lastError} : {}),
      leaderOnly: value.leaderOnly === true,
      functions: (Array.isArray(value.functions) ? value.functions : []).flatMap(readFunction),
    },
  ]
}

function readFunction(value: unknown): PresenceFunction[] {
  if (!isRecord(value) || typeof value.name !== 'string') return []
  const args = Array.isArray(value.args) ? value.args : []
  const declared = args.flatMap((arg): PluginFunctionArg[] =>
    isRecord(arg) && typeof arg.name === 'string' && ARG_TYPES.includes(arg.type as PluginArgType)
      ? [
          {
            name: arg.name,
            description: typeof arg.description === 'string' ? arg.description : '',
            type: arg.type as PluginArgType,
            ...(typeof arg.required === 'boolean' ? {required: arg.required} : {}),
          },
        ]
      : [],
  )
  // A function whose arguments we cannot all read cannot be validated here: the node checks them.
  if (declared.length !== args.length) return []
  return [
    {name: value.name, description: typeof value.description === 'string' ? value.description : '', args: declared},
  ]
}

function readQueue(value: unknown): PresenceQueue[] {
  if (!isRecord(value) || typeof value.queue !== 'string') return []
  return [
    {
      queue: value.queue,
      limit: typeof value.limit === 'number' ? value.limit : 0,
      paused: value.paused === true,
      running: typeof value.running === 'number' ? value.running : 0,
    },
  ]
}

function readConnections(value: unknown): {connections?: NodeConnections} {
  if (!isRecord(value)) return {}
  const count = (key: string) =>
    Number.isInteger(value[key]) && (value[key] as number) >= 0 ? (value[key] as number) : 0
  return {
    connections: {pool: count('pool'), poolSize: count('poolSize'), notifier: count('notifier'), lease: count('lease')},
  }
}
