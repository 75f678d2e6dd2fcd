import type {Config} from '../config/config.js'
import type {Queryable} from '../db/pool.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier} from '../notifier/notifier.js'
import type {PluginDirectory} from '../plugin/lookup.js'
import {Presence} from '../cluster/presence.js'
import {describePlugin, describeQueue, type NodeConnections} from '../cluster/presence-record.js'
import type {QueueCheck} from '../queue/producer.js'
import {attach, detach} from '../telemetry/telemetry.js'
import {ControlServer} from './server.js'
import {LEASE_LOCK_FLAG} from '../engine/peer-lock.js'

export interface NodeControlOptions {
  config: Pick<Config, 'name' | 'node' | 'prefix' | 'notifier'> & Partial<Pick<Config, 'viewer'>>
  /** The instance's pool: presence rows are written through it. */
  pool: Queryable
  notifier: Notifier
  logger: Logger
  plugins: PluginDirectory
  queues: {checkAll(): QueueCheck[]}
  isLeader(): boolean
  /** The connections the node holds now, written into each presence row. */
  connections?: () => NodeConnections
  /** Whether the Peer takes the lease lock (PeerOptions.leaseLock, default true): the row says so. */
  leaseLock?: boolean
  /** Presence write interval and row lifetime (ms); tests shorten them. */
  presenceInterval?: number
  presenceTtl?: number
}

/** What {@link startNodeControl} started; `stop()` releases all of it (idempotent, never rejects). */
export interface NodeControl {
  readonly presence: Presence
  readonly server: ControlServer
  stop(): Promise<void>
}

// Telemetry events after which a plugin's status in the presence row is stale.
const STATUS_EVENTS = ['plugin:start', 'plugin:exception', 'plugin:stop']
let handlerIds = 0

/**
 * Starts what makes this node visible to, and callable from, other processes: its presence row
 * (`<prefix>.oban_ts_nodes`, see {@link Presence}) and the control server that answers plugin
 * calls (`<prefix>.oban_ts_control`, see {@link ControlServer}). The runtime starts it after the
 * queues and plugins, and stops it first, before the notifier and the pool. Resolves once the
 * row is written (or its write failed and was logged) and requests are heard, so that a process
 * that sees the row can call the node.
 */
export async function startNodeControl(options: NodeControlOptions): Promise<NodeControl> {
  const {config, logger, plugins, queues} = options
  // The queues started before this (and may have fetched jobs already): the row says the node
  // started when its first producer did, which Lifeline compares with the jobs' attempted_at.
  const startedAt = new Date(Math.min(Date.now(), ...queues.checkAll().map((q) => q.startedAt.getTime())))
  const presence = new Presence({
    startedAt,
    db: options.pool,
    prefix: config.prefix,
    instance: config.name,
    node: config.node,
    logger,
    interval: options.presenceInterval,
    ttl: options.presenceTtl,
    snapshot: () => ({
      plugins: plugins.handles().map(describePlugin),
      queues: queues.checkAll().map(describeQueue),
      // The Peer holds its lease lock while it leads: once the lock is free, followers may take
      // over at once (engine/peer-lock.ts).
      meta: {
        leader: options.isLeader(),
        notifier: config.notifier,
        ...(options.leaseLock === false ? {} : {[LEASE_LOCK_FLAG]: true}),
        ...(options.connections ? {connections: options.connections()} : {}),
        ...(config.viewer === true ? {role: 'viewer' as const} : {}),
      },
    }),
  })
  const server = new ControlServer({
    notifier: options.notifier,
    instance: config.name,
    node: config.node,
    logger,
    plugins,
    afterCall: () => presence.refresh(),
  })
  // A plugin that restarts, fails or stops changes its status: rewrite the row soon.
  const handlerId = `oban-ts.presence:${config.name}:${config.node}:${++handlerIds}`
  attach(handlerId, STATUS_EVENTS, (_event, _measurements, metadata) => {
    // The stager also reports its ticks as plugin:start/stop (as Oban's does): only hosted plugins count.
    if (metadata.instance === config.name && plugins.handles().some((h) => h.pluginName === metadata.plugin))
      presence.touch()
  })
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      detach(handlerId)
      await server.stop()
      await presence.stop()
    })())
  try {
    await server.start()
    await presence.start()
  } catch (error) {
    await stop()
    throw error
  }
  return {presence, server, stop}
}
