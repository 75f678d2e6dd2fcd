import type {Queryable} from '../db/pool.js'
import {listLeases, type InstanceLease} from '../engine/peer-list.js'
import {listPythonLeaders, type PythonLeader} from '../engine/python-leaders.js'

/**
 * Two leaders at once on one database and schema: Python Oban elects in its own `oban_leaders`
 * table and never looks at `oban_peers`, where oban-ts and Elixir nodes elect. Both leaders run
 * their leader-only work (Cron, Pruner, Lifeline) against the same `oban_jobs`.
 */
export interface LeaderConflict {
  /** The Python leader, from `oban_leaders`. */
  python: PythonLeader
  /** The leaders holding a lease in `oban_peers` at the same time (oban-ts or Elixir nodes). */
  peers: {instance: string; node: string}[]
}

/**
 * Finds the conflicts now: each live Python leader beside at least one live `oban_peers` lease
 * (two statements, side by side). Empty when either table has no live row, or when Python Oban
 * never ran here (no `oban_leaders` table).
 */
export async function findLeaderConflicts(db: Queryable, prefix: string): Promise<LeaderConflict[]> {
  const [python, leases] = await Promise.all([listPythonLeaders(db, prefix), listLeases(db, prefix)])
  return leaderConflicts(python, leases)
}

/** The conflicts between live Python leaders and live `oban_peers` leases, as read. */
export function leaderConflicts(python: readonly PythonLeader[], leases: readonly InstanceLease[]): LeaderConflict[] {
  if (python.length === 0 || leases.length === 0) return []
  const peers = leases.map((lease) => ({instance: lease.instance, node: lease.node}))
  return python.map((leader) => ({python: leader, peers}))
}

/** What a conflict costs, as Python's and oban-ts's defaults make it. */
export const LEADER_CONFLICT_COST =
  'both run Cron, Pruner and Lifeline: every cron job is inserted twice, and each Lifeline rescues executing jobs of the other side that run longer than its rescue_after (Python: 5 min), so they run again while still running'

/** How to end it, from either side. */
export const LEADER_CONFLICT_FIX =
  'start Python Oban with leadership disabled (Oban(leadership=False), or leadership = false in oban.toml) and keep cron entries on one side only; or give oban_peers no leader (peer: false on every oban-ts and Elixir node)'

/** One line for a log or a listing: who leads where, what it costs, how to end it. */
export function describeLeaderConflict(conflict: LeaderConflict): string {
  const {python, peers} = conflict
  const others = peers.map((p) => `${p.node} (instance ${p.instance})`).join(', ')
  return `two leaders: Python Oban node ${python.node} (instance ${python.instance}) leads in oban_leaders while ${others} ${peers.length === 1 ? 'leads' : 'lead'} in oban_peers; ${LEADER_CONFLICT_COST}. To fix: ${LEADER_CONFLICT_FIX}`
}
