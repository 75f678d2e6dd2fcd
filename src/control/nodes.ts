import type {Queryable} from '../db/pool.js'
import {listPresence} from '../engine/presence-list.js'
import {InstanceNotRunningError} from '../errors.js'
import {toNodePresence, type NodePresence} from '../cluster/presence-record.js'
import {didYouMean} from '../util/suggest.js'

export interface ListNodesOptions {
  /** Schema of the instance (default `public`). */
  prefix?: string
  /** Only this instance's nodes; every instance's when undefined. */
  instance?: string
}

/**
 * The live oban-ts nodes on a database and schema, from the presence table: each with its
 * plugins (status, restarts, last error, interface functions) and queues. Empty when none runs,
 * including when no node ever created the table. Elixir nodes never appear: they write no row.
 */
export async function listNodes(db: Queryable, options: ListNodesOptions = {}): Promise<NodePresence[]> {
  const records = await listPresence(db, options.prefix ?? 'public', options.instance)
  return records.map(toNodePresence)
}

/**
 * The live nodes of an instance (or of every instance), or {@link InstanceNotRunningError}:
 * `no node of instance Other is running against localhost:5432/app`, with the instances that do
 * run there (and a suggestion) when there are some. `location` is the database as
 * `describeDatabase` prints it.
 */
export async function requireNodes(
  db: Queryable,
  options: ListNodesOptions & {location: string},
): Promise<NodePresence[]> {
  const prefix = options.prefix ?? 'public'
  const all = await listNodes(db, {prefix})
  const nodes = options.instance === undefined ? all : all.filter((n) => n.instance === options.instance)
  if (nodes.length > 0) return nodes
  const where = describeWhere(options.location, prefix)
  if (options.instance === undefined)
    throw new InstanceNotRunningError('', `no oban-ts node is running against ${where}`)
  const others = [...new Set(all.map((n) => n.instance))]
  const hint =
    others.length > 0 ? `${didYouMean(options.instance, others)}; running instances: ${others.join(', ')}` : ''
  throw new InstanceNotRunningError(
    options.instance,
    `no node of instance ${options.instance} is running against ${where}${hint}`,
  )
}

/**
 * Narrows an instance's nodes to `--node NAME`, or throws {@link InstanceNotRunningError} naming
 * the nodes that do run (with a suggestion).
 */
export function selectNode(nodes: readonly NodePresence[], node: string | undefined, where: string): NodePresence[] {
  if (node === undefined) return [...nodes]
  const selected = nodes.filter((n) => n.node === node)
  if (selected.length > 0) return selected
  const instance = nodes[0]?.instance ?? ''
  const names = nodes.map((n) => n.node)
  throw new InstanceNotRunningError(
    instance,
    `no node ${node} of instance ${instance} is running against ${where}${didYouMean(node, names)}; its nodes: ${names.join(', ')}`,
  )
}

/** `host:5432/app`, or `host:5432/app (schema private)` for another prefix than `public`. */
export function describeWhere(location: string, prefix: string): string {
  return `${location}${prefix === 'public' ? '' : ` (schema ${prefix})`}`
}
