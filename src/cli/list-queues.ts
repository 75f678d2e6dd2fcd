import {queueListing, type QueueListing, type QueueOverview} from '../operator/queue-overview.js'
import {requireInstance} from '../operator/signal-recipients.js'
import type {CommandDatabase} from './database-command.js'

export type {QueueListing, QueueOverview}

/**
 * `oban queue list`: every queue with unfinished jobs or a live oban-ts or Python node running it,
 * with its counts, latency, nodes (only `instance`'s when given) and jobs that can never run, and
 * the Elixir nodes whose queues cannot be known. An instance that runs on no node there is refused
 * (InstanceNotRunningError, listing those that do), not shown as an empty NODES.
 */
export async function listQueues(
  db: CommandDatabase,
  prefix: string,
  options: {instance?: string} = {},
): Promise<QueueListing> {
  if (options.instance !== undefined) await requireInstance(db.pool, prefix, options.instance, db.location)
  return queueListing(db.pool, prefix, {instance: options.instance})
}
