import {listNodes} from '../control/nodes.js'
import type {Queryable} from '../db/pool.js'
import {listLeases, type InstanceLease} from '../engine/peer-list.js'
import type {PluginStatus} from '../plugin/plugin.js'
import type {NodeConnections, NodePresence, PresenceQueue} from '../cluster/presence-record.js'

/**
 * What `oban status` reports: every instance on a database and prefix, its leader and its live
 * oban-ts nodes with their queues and plugins. A stable, documented `--json` shape (README,
 * "Scripting"): fields may be added, never renamed or removed. Timestamps are ISO-8601 UTC.
 */
export interface ObanStatus {
  /** The database as `host:port/db` (no credentials). */
  database: string
  prefix: string
  /** Sorted by name: instances with a live node, a live leadership lease, or both. */
  instances: InstanceStatus[]
}

export interface InstanceStatus {
  instance: string
  /** The holder of the instance's `oban_peers` lease, or null when nobody holds a live one. */
  leader: LeaderStatus | null
  /** The live oban-ts nodes, sorted by name; Elixir and Python nodes write no presence row. */
  nodes: NodeStatus[]
}

export interface LeaderStatus {
  node: string
  /**
   * Whether the leader has a live presence row (an oban-ts node). False for an Elixir node, and
   * for an oban-ts node that died without resigning, until its lease expires. (Python Oban elects
   * its leader in its own `oban_leaders` table, which is not read.)
   */
  obanTs: boolean
  /** When the node took the lease (Oban keeps it on renewal). */
  startedAt: string
  expiresAt: string
}

export interface NodeStatus {
  node: string
  /** Holds the instance's lease (from `oban_peers`, not the node's own view). */
  leader: boolean
  pid: number
  hostname: string
  /** `viewer`: it runs plugins only (`oban breakdown`), never queues, signals or leadership. */
  role: 'node' | 'viewer'
  /** `isolated`: the node hears no queue signals or plugin calls from other processes. */
  notifier: NodePresence['notifier']
  /** Its open database connections at its last presence write; absent from older versions' rows. */
  connections?: NodeConnections
  startedAt: string
  /** The node's last presence write (every 10 s while it runs). */
  seenAt: string
  queues: PresenceQueue[]
  plugins: PluginState[]
}

/** A plugin of a node (its interface functions are `oban plugin list`'s business). */
export interface PluginState {
  name: string
  status: PluginStatus
  restarts: number
  /** The message of its last crash (kept once it recovered), or null when it never crashed. */
  lastError: string | null
  leaderOnly: boolean
}

export interface StatusOptions {
  /** Schema of Oban's tables (default `public`). */
  prefix?: string
  /** Only this instance; every instance when undefined. */
  instance?: string
  /** The database as `describeDatabase` prints it. */
  location: string
}

/** What {@link readStatus} found, and what it was asked for (the CLI's line when nothing matched). */
export interface StatusReading {
  status: ObanStatus
  /** The instance asked for, if any. */
  instance?: string
  /** With `instance`: the other instances present, for a hint when that one is not. */
  otherInstances: string[]
}

/**
 * Reads the presence table and `oban_peers` (two statements, side by side) and joins them by
 * instance and node name. The leader is whoever holds the lease, so an Elixir leader shows too;
 * an instance with only a lease (every node of it Elixir) is listed without nodes.
 */
export async function readStatus(db: Queryable, options: StatusOptions): Promise<StatusReading> {
  const prefix = options.prefix ?? 'public'
  const [nodes, leases] = await Promise.all([listNodes(db, {prefix}), listLeases(db, prefix)])
  const names = [...new Set([...nodes.map((n) => n.instance), ...leases.map((l) => l.instance)])].sort(byText)
  const selected = options.instance === undefined ? names : names.filter((name) => name === options.instance)
  const instances = selected.map((instance) =>
    describeInstance(
      instance,
      nodes.filter((n) => n.instance === instance),
      leases.find((l) => l.instance === instance),
    ),
  )
  return {
    status: {database: options.location, prefix, instances},
    ...(options.instance === undefined ? {} : {instance: options.instance}),
    otherInstances: options.instance === undefined ? [] : names.filter((name) => name !== options.instance),
  }
}

function describeInstance(instance: string, nodes: NodePresence[], lease: InstanceLease | undefined): InstanceStatus {
  const leader =
    lease === undefined
      ? null
      : {
          node: lease.node,
          obanTs: nodes.some((n) => n.node === lease.node),
          startedAt: lease.startedAt.toISOString(),
          expiresAt: lease.expiresAt.toISOString(),
        }
  return {
    instance,
    leader,
    nodes: nodes
      .map((node) => ({
        node: node.node,
        leader: node.node === lease?.node,
        pid: node.pid,
        hostname: node.hostname,
        role: node.role,
        notifier: node.notifier,
        ...(node.connections ? {connections: node.connections} : {}),
        startedAt: node.startedAt.toISOString(),
        seenAt: node.seenAt.toISOString(),
        queues: node.queues.map(({queue, limit, paused, running}) => ({queue, limit, paused, running})),
        plugins: node.plugins.map((p) => ({
          name: p.name,
          status: p.status,
          restarts: p.restarts,
          lastError: p.lastError ?? null,
          leaderOnly: p.leaderOnly,
        })),
      }))
      .sort((a, b) => byText(a.node, b.node)),
  }
}

/** Code-point order, the same on every machine (unlike localeCompare). */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
