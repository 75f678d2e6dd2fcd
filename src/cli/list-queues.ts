import {queueOverview, type QueueOverview} from '../operator/queue-overview.js'
import type {CommandDatabase} from './database-command.js'

export type {QueueOverview}

/**
 * `oban queue list`: every queue with unfinished jobs or a live oban-ts node running it, with its
 * counts, latency and nodes (only `instance`'s nodes when given).
 */
export async function listQueues(
  db: CommandDatabase,
  prefix: string,
  options: {instance?: string} = {},
): Promise<QueueOverview[]> {
  return queueOverview(db.pool, prefix, {instance: options.instance})
}
