import type {Queryable} from '../db/pool.js'
import {nodesOf, readCluster, type ClusterNode, type LeaderConflictView} from './cluster-nodes.js'

/**
 * What `oban nodes` reports: every live node of every runtime on a database and schema, and the
 * leaders that conflict. A stable, documented `--json` shape (README, "Scripting"): fields may be
 * added, never renamed or removed.
 */
export interface NodesView {
  /** The database as `host:port/db` (no credentials). */
  database: string
  prefix: string
  /** Sorted by instance (unknown last), then node; with `instance`, its nodes and those of unknown instance. */
  nodes: ClusterNode[]
  leaderConflicts: LeaderConflictView[]
}

/** Reads every runtime's nodes (see cluster-nodes.ts), optionally only `instance`'s. */
export async function readNodesView(
  db: Queryable,
  options: {prefix?: string; instance?: string; location: string},
): Promise<NodesView> {
  const prefix = options.prefix ?? 'public'
  const cluster = await readCluster(db, prefix)
  return {
    database: options.location,
    prefix,
    nodes: nodesOf(cluster.nodes, options.instance),
    leaderConflicts: cluster.leaderConflicts,
  }
}
