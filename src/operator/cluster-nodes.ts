import {listNodes} from '../control/nodes.js'
import type {Queryable} from '../db/pool.js'
import {listLeases, type InstanceLease} from '../engine/peer-list.js'
import {listPythonLeaders, type PythonLeader} from '../engine/python-leaders.js'
import {listPythonProducers, type PythonProducer} from '../engine/python-producers.js'
import {listSonarNodes, type SonarNode} from '../engine/sonar-list.js'
import {leaderConflicts, LEADER_CONFLICT_COST, LEADER_CONFLICT_FIX} from '../cluster/leader-conflicts.js'
import type {NodeConnections, NodePresence} from '../cluster/presence-record.js'

/**
 * Every live node of every runtime on a database and schema, as far as each runtime publishes
 * it, for `oban status`, `oban nodes`, `oban queue list` and the dash. A stable, documented
 * `--json` shape (README, "Scripting"): fields may be added, never renamed or removed.
 *
 * Where each runtime is seen:
 *  - oban-ts: its presence row (`oban_ts_nodes`): queues, limits, paused, running, plugins.
 *  - Python Oban: `oban_producers` (one row per running queue: limit, paused; running counted
 *    from `oban_jobs` by the producer's uuid) and `oban_leaders` (its leader).
 *  - Elixir Oban: only its sonar pings (`<prefix>.oban_sonar`, recorded by running oban-ts nodes
 *    in `oban_ts_sonar`) and, while it leads, its lease in `oban_peers`. It publishes no queues,
 *    limits or running jobs, and its pings name no instance.
 */
export type NodeRuntime = 'oban-ts' | 'elixir' | 'python'

/** Where a node was seen. */
export type NodeSource = 'oban_ts_nodes' | 'oban_sonar' | 'oban_producers' | 'oban_leaders' | 'oban_peers'

/** A queue as one node runs it; `null` where the runtime does not publish the value. */
export interface ClusterQueue {
  queue: string
  limit: number | null
  paused: boolean
  running: number | null
}

export interface ClusterNode {
  node: string
  runtime: NodeRuntime
  /** The instance, or null when it cannot be known (an Elixir node that does not lead). */
  instance: string | null
  /** Holds a leadership lease: in `oban_peers` (oban-ts, Elixir) or `oban_leaders` (Python). */
  leader: boolean
  /** `viewer` for an oban-ts node that runs plugins only (`oban breakdown`), else `node`. */
  role: 'node' | 'viewer'
  /** oban-ts only (null elsewhere). */
  pid: number | null
  hostname: string | null
  /** When it started, where known (oban-ts; Python: its first queue), ISO-8601, or null. */
  startedAt: string | null
  /** Its latest sign of life (presence write, producer refresh, sonar ping), or null when only a lease shows it. */
  seenAt: string | null
  seenIn: NodeSource[]
  /** Its queues, or null when its runtime does not publish them (Elixir). */
  queues: ClusterQueue[] | null
  /** oban-ts only: its open database connections at its last presence write (absent in older rows). */
  connections?: NodeConnections
}

/** Two leaders at once (see src/cluster/leader-conflicts.ts), with what it costs and the fix. */
export interface LeaderConflictView {
  python: {instance: string; node: string; electedAt: string; expiresAt: string}
  peers: {instance: string; node: string}[]
  cost: string
  fix: string
}

/** Everyone alive, and the leaders that conflict. */
export interface ClusterView {
  /** Sorted by instance (unknown last), then node. */
  nodes: ClusterNode[]
  leaderConflicts: LeaderConflictView[]
}

/** The raw rows the view is made of (read side by side). */
export interface ClusterRows {
  presence: NodePresence[]
  leases: InstanceLease[]
  sonar: SonarNode[]
  producers: PythonProducer[]
  pythonLeaders: PythonLeader[]
}

/**
 * Reads the presence table, `oban_peers`, the sonar record and Python Oban's two tables (five
 * statements, side by side; a table that does not exist reads as empty) and joins them.
 */
export async function readClusterRows(db: Queryable, prefix: string): Promise<ClusterRows> {
  const [presence, leases, sonar, producers, pythonLeaders] = await Promise.all([
    listNodes(db, {prefix}),
    listLeases(db, prefix),
    listSonarNodes(db, prefix),
    listPythonProducers(db, prefix),
    listPythonLeaders(db, prefix),
  ])
  return {presence, leases, sonar, producers, pythonLeaders}
}

/** {@link readClusterRows} then {@link describeCluster}. */
export async function readCluster(db: Queryable, prefix: string): Promise<ClusterView> {
  return describeCluster(await readClusterRows(db, prefix))
}

/**
 * Joins the rows into one node per (runtime, instance, name). A lease in `oban_peers` without a
 * presence row is an Elixir node, unless the sonar record says the name is an oban-ts node's (one
 * that died leading, until its lease expires). A sonar ping from a name no table explains is an
 * Elixir node of unknown instance (a short-lived Elixir script that only inserts pings too, for
 * as long as it runs).
 */
export function describeCluster(rows: ClusterRows): ClusterView {
  const {presence, leases, sonar, producers, pythonLeaders} = rows
  const nodes: ClusterNode[] = []
  const heard = new Map(sonar.map((s) => [s.node, s]))
  const leaseOf = new Map(leases.map((l) => [l.instance, l]))

  for (const p of presence)
    nodes.push({
      node: p.node,
      runtime: 'oban-ts',
      instance: p.instance,
      leader: leaseOf.get(p.instance)?.node === p.node,
      role: p.role,
      pid: p.pid,
      hostname: p.hostname,
      startedAt: iso(p.startedAt),
      seenAt: iso(p.seenAt),
      seenIn: ['oban_ts_nodes'],
      queues: p.queues.map(({queue, limit, paused, running}) => ({queue, limit, paused, running})),
      ...(p.connections ? {connections: p.connections} : {}),
    })

  const python = new Map<string, ClusterNode>()
  const pythonNode = (instance: string, node: string) => {
    const key = `${instance}\u0000${node}`
    let entry = python.get(key)
    if (!entry) {
      entry = {...foreign(node, 'python', instance), queues: []}
      python.set(key, entry)
    }
    return entry
  }
  for (const p of producers) {
    const entry = pythonNode(p.instance, p.node)
    entry.queues!.push({queue: p.queue, limit: p.limit, paused: p.paused, running: p.running})
    entry.startedAt = earliest(entry.startedAt, p.startedAt)
    entry.seenAt = latest(entry.seenAt, p.updatedAt)
    if (!entry.seenIn.includes('oban_producers')) entry.seenIn.push('oban_producers')
  }
  for (const l of pythonLeaders) {
    const entry = pythonNode(l.instance, l.node)
    entry.leader = true
    entry.seenIn.push('oban_leaders')
  }
  for (const entry of python.values()) {
    const ping = heard.get(entry.node)
    if (ping && ping.runtime === null) {
      entry.seenAt = latest(entry.seenAt, ping.seenAt)
      entry.seenIn.push('oban_sonar')
    }
    entry.queues!.sort((a, b) => byText(a.queue, b.queue))
    nodes.push(entry)
  }

  const obanTsNames = new Set(presence.map((p) => p.node))
  const pythonNames = new Set([...producers.map((p) => p.node), ...pythonLeaders.map((l) => l.node)])
  const elixirNames = new Set<string>()
  for (const lease of leases) {
    if (presence.some((p) => p.instance === lease.instance && p.node === lease.node)) continue
    const ping = heard.get(lease.node)
    const entry: ClusterNode = {
      ...foreign(lease.node, ping?.runtime === 'oban-ts' ? 'oban-ts' : 'elixir', lease.instance),
      leader: true,
      startedAt: null,
      seenAt: ping ? iso(ping.seenAt) : null,
      seenIn: ping ? ['oban_peers', 'oban_sonar'] : ['oban_peers'],
    }
    elixirNames.add(lease.node)
    nodes.push(entry)
  }
  for (const ping of sonar) {
    if (ping.runtime !== null) continue
    if (obanTsNames.has(ping.node) || pythonNames.has(ping.node) || elixirNames.has(ping.node)) continue
    nodes.push({...foreign(ping.node, 'elixir', null), seenAt: iso(ping.seenAt), seenIn: ['oban_sonar']})
  }

  nodes.sort(
    (a, b) =>
      (a.instance === null ? 1 : 0) - (b.instance === null ? 1 : 0) ||
      byText(a.instance ?? '', b.instance ?? '') ||
      byText(a.node, b.node) ||
      byText(a.runtime, b.runtime),
  )
  return {
    nodes,
    leaderConflicts: leaderConflicts(pythonLeaders, leases).map((c) => ({
      python: {
        instance: c.python.instance,
        node: c.python.node,
        electedAt: iso(c.python.electedAt),
        expiresAt: iso(c.python.expiresAt),
      },
      peers: c.peers,
      cost: LEADER_CONFLICT_COST,
      fix: LEADER_CONFLICT_FIX,
    })),
  }
}

function foreign(node: string, runtime: NodeRuntime, instance: string | null): ClusterNode {
  return {
    node,
    runtime,
    instance,
    leader: false,
    role: 'node',
    pid: null,
    hostname: null,
    startedAt: null,
    seenAt: null,
    seenIn: [],
    queues: runtime === 'python' ? [] : null,
  }
}

/**
 * The nodes of one instance, plus those whose instance cannot be known (they may belong to it),
 * or every node when `instance` is undefined.
 */
export function nodesOf(nodes: readonly ClusterNode[], instance: string | undefined): ClusterNode[] {
  return instance === undefined ? [...nodes] : nodes.filter((n) => n.instance === instance || n.instance === null)
}

function iso(date: Date): string {
  return date.toISOString()
}

function earliest(current: string | null, date: Date): string {
  return current === null || date.toISOString() < current ? date.toISOString() : current
}

function latest(current: string | null, date: Date): string {
  return current === null || date.toISOString() > current ? date.toISOString() : current
}

/** Code-point order, the same on every machine (unlike localeCompare). */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
