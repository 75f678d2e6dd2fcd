import {describeWhere, listNodes} from '../control/nodes.js'
import type {Queryable} from '../db/pool.js'
import {listLeases} from '../engine/peer-list.js'
import {listPythonLeaders} from '../engine/python-leaders.js'
import {listPythonProducers} from '../engine/python-producers.js'
import {InstanceNotRunningError} from '../errors.js'
import {didYouMean} from '../util/suggest.js'

/** Who a queue signal reaches, as far as the database can tell. */
export interface SignalRecipients {
  /**
   * The live oban-ts nodes it addresses that run the queue (every addressed node for `start`, and
   * for `*`), as `<instance>.<node>`, sorted.
   */
  nodes: string[]
  /** The live oban-ts nodes it addresses, whatever they run. */
  addressed: string[]
  /** The queues the addressed nodes run, for a suggestion when none runs the one asked for. */
  queues: string[]
  /**
   * Instances with a live lease in oban_peers but no presence row: Elixir or Python nodes, which
   * obey the same signals but do not say which queues they run.
   */
  unseen: string[]
}

/**
 * Reads who a queue signal for `queue` (`*` for every queue) reaches: the presence rows of live
 * oban-ts nodes (narrowed to `<instance>.<node>` when `node` is given) and the leases in
 * oban_peers, which Elixir nodes write too. `start` creates the queue, so every addressed node
 * counts for it.
 */
export async function signalRecipients(
  db: Queryable,
  prefix: string,
  target: {queue: string; action: string; instance?: string; node?: string},
): Promise<SignalRecipients> {
  const [nodes, leases] = await Promise.all([listNodes(db, {prefix}), listLeases(db, prefix)])
  const addressed = nodes.filter(
    (n) => target.node === undefined || (n.node === target.node && n.instance === (target.instance ?? 'Oban')),
  )
  const runs = (n: (typeof nodes)[number]) =>
    target.queue === '*' || target.action === 'start' || n.queues.some((q) => q.queue === target.queue)
  const seen = new Set(nodes.map((n) => n.instance))
  const unseen = [...new Set(leases.map((l) => l.instance))].filter(
    (instance) => !seen.has(instance) && (target.node === undefined || instance === (target.instance ?? 'Oban')),
  )
  return {
    nodes: addressed.filter(runs).map((n) => `${n.instance}.${n.node}`),
    addressed: addressed.map((n) => `${n.instance}.${n.node}`),
    queues: [...new Set(addressed.flatMap((n) => n.queues.map((q) => q.queue)))].sort(),
    unseen: unseen.sort(),
  }
}

/**
 * The instances running on a database and schema: from the presence rows (oban-ts nodes), the
 * leases in oban_peers (oban-ts and Elixir nodes) and Python Oban's oban_producers and
 * oban_leaders, sorted.
 */
export async function knownInstances(db: Queryable, prefix: string): Promise<string[]> {
  const [nodes, leases, producers, pythonLeaders] = await Promise.all([
    listNodes(db, {prefix}),
    listLeases(db, prefix),
    listPythonProducers(db, prefix),
    listPythonLeaders(db, prefix),
  ])
  const names = [nodes, leases, producers, pythonLeaders].flatMap((rows) => rows.map((r) => r.instance))
  return [...new Set(names)].sort()
}

/**
 * Throws {@link InstanceNotRunningError} unless `instance` runs on the database and schema,
 * listing the ones that do (with a suggestion): `--instance Nope` must not silently show every
 * instance's nodes, or none.
 */
export async function requireInstance(
  db: Queryable,
  prefix: string,
  instance: string,
  location: string,
): Promise<void> {
  const known = await knownInstances(db, prefix)
  if (known.includes(instance)) return
  const where = describeWhere(location, prefix)
  throw new InstanceNotRunningError(
    instance,
    known.length === 0
      ? `no instance "${instance}" is running against ${where}: no Oban node is running there`
      : `no instance "${instance}" is running against ${where}${didYouMean(instance, known)}; running instances: ${known.join(', ')}`,
  )
}
