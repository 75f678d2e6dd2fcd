import type {Queryable} from '../db/pool.js'
import type {InstanceLease} from '../engine/peer-list.js'
import type {PythonLeader} from '../engine/python-leaders.js'
import {findUnrunnableJobs, type UnrunnableJobs} from '../engine/unrunnable-jobs.js'
import type {PluginStatus} from '../plugin/plugin.js'
import type {NodeConnections, NodePresence, PresenceQueue} from '../cluster/presence-record.js'
import {
  describeCluster,
  nodesOf,
  readClusterRows,
  type ClusterNode,
  type LeaderConflictView,
  type NodeRuntime,
} from './cluster-nodes.js'

export type {UnrunnableJobs}

/**
 * What `oban status` reports: every instance on a database and prefix, its leader and its live
 * oban-ts nodes with their queues and plugins. A stable, documented `--json` shape (README,
 * "Scripting"): fields may be added, never renamed or removed. Timestamps are ISO-8601 UTC.
 */
export interface ObanStatus {
  /** The database as `host:port/db` (no credentials). */
  database: string
  prefix: string
  /**
   * Sorted by name: instances with a live oban-ts node, a live leadership lease (`oban_peers`,
   * or Python Oban's `oban_leaders`), a live Python queue, or several of these.
   */
  instances: InstanceStatus[]
  /**
   * Every live node of every runtime (see operator/cluster-nodes.ts), with `--instance` those of
   * that instance and those whose instance cannot be known (Elixir nodes that do not lead).
   */
  nodes: ClusterNode[]
  /** A Python Oban leader beside an `oban_peers` leader: both do leader-only work. */
  leaderConflicts: LeaderConflictView[]
  /**
   * Jobs that can never run (waiting with no attempt left), per queue and state, each with its
   * lowest ids; `oban job retry ID...` gives them an attempt. Every instance's: jobs belong to queues.
   */
  unrunnable: UnrunnableJobs[]
}

export interface InstanceStatus {
  instance: string
  /**
   * The holder of the instance's `oban_peers` lease, else of its row in Python Oban's
   * `oban_leaders`, or null when nobody holds a live one.
   */
  leader: LeaderStatus | null
  /** The live oban-ts nodes, sorted by name (every runtime's are in {@link ObanStatus.nodes}). */
  nodes: NodeStatus[]
}

export interface LeaderStatus {
  node: string
  /**
   * Whether the leader has a live presence row (an oban-ts node). False for an Elixir node, and
   * for an oban-ts node that died without resigning, until its lease expires, and for a Python node.
   */
  obanTs: boolean
  /** `elixir` for a lease holder without a presence row that the sonar record does not name oban-ts. */
  runtime: NodeRuntime
  /** Where the lease is: `oban_peers` (oban-ts, Elixir) or `oban_leaders` (Python Oban). */
  table: 'oban_peers' | 'oban_leaders'
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
 * Reads every runtime's nodes (operator/cluster-nodes.ts) and the jobs that can never run, side by
 * side, and joins them by instance and node name. The leader is whoever holds the lease, so an
 * Elixir or Python leader shows too; an instance with no oban-ts node is listed without `nodes`.
 */
export async function readStatus(db: Queryable, options: StatusOptions): Promise<StatusReading> {
  const prefix = options.prefix ?? 'public'
  const [rows, unrunnable] = await Promise.all([readClusterRows(db, prefix), findUnrunnableJobs(db, prefix)])
  const {presence: nodes, leases, pythonLeaders} = rows
  const cluster = describeCluster(rows)
  const names = [
    ...new Set([
      ...nodes.map((n) => n.instance),
      ...leases.map((l) => l.instance),
      ...cluster.nodes.flatMap((n) => (n.instance === null ? [] : [n.instance])),
    ]),
  ].sort(byText)
  const selected = options.instance === undefined ? names : names.filter((name) => name === options.instance)
  const instances = selected.map((instance) =>
    describeInstance(
      instance,
      nodes.filter((n) => n.instance === instance),
      leases.find((l) => l.instance === instance),
      pythonLeaders.find((l) => l.instance === instance),
      cluster.nodes,
    ),
  )
  return {
    status: {
      database: options.location,
      prefix,
      instances,
      nodes: nodesOf(cluster.nodes, options.instance),
      leaderConflicts: cluster.leaderConflicts,
      unrunnable,
    },
    ...(options.instance === undefined ? {} : {instance: options.instance}),
    otherInstances: options.instance === undefined ? [] : names.filter((name) => name !== options.instance),
  }
}

function describeInstance(
  instance: string,
  nodes: NodePresence[],
  lease: InstanceLease | undefined,
  python: PythonLeader | undefined,
  everyone: readonly ClusterNode[],
): InstanceStatus {
  const runtimeOf = (node: string, fallback: NodeRuntime) =>
    everyone.find((n) => n.instance === instance && n.node === node && n.leader)?.runtime ?? fallback
  const leader: LeaderStatus | null =
    lease !== undefined
      ? {
          node: lease.node,
          obanTs: nodes.some((n) => n.node === lease.node),
          runtime: runtimeOf(lease.node, 'elixir'),
          table: 'oban_peers',
          startedAt: lease.startedAt.toISOString(),
          expiresAt: lease.expiresAt.toISOString(),
        }
      : python !== undefined
        ? {
            node: python.node,
            obanTs: false,
            runtime: 'python',
            table: 'oban_leaders',
            startedAt: python.electedAt.toISOString(),
            expiresAt: python.expiresAt.toISOString(),
          }
        : null
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
