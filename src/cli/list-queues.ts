import {queueOverview, type QueueOverview} from '../operator/queue-overview.js'
import {requireInstance} from '../operator/signal-recipients.js'
import type {CommandDatabase} from './database-command.js'

export type {QueueOverview}

/**
 * `oban queue list`: every queue with unfinished jobs or a live oban-ts node running it, with its
 * counts, latency and nodes (only `instance`'s nodes when given). An instance that runs on no node
 * there is refused (InstanceNotRunningError, listing those that do), not shown as an empty NODES.
 */
export async function listQueues(
  db: CommandDatabase,
  prefix: string,
  options: {instance?: string} = {},
): Promise<QueueOverview[]> {
  if (options.instance !== undefined) await requireInstance(db.pool, prefix, options.instance, db.location)
  return queueOverview(db.pool, prefix, {instance: options.instance})
}
