import {readStatus as readPresence, type ObanStatus, type StatusReading} from '../operator/status.js'
import type {CommandDatabase} from './database-command.js'

export type {ObanStatus, StatusReading}

/**
 * `oban status`: the instances on the database and schema (or only `instance`), each with its
 * leader and its live oban-ts nodes, their queues and plugins.
 */
export async function readStatus(
  db: CommandDatabase,
  prefix: string,
  options: {instance?: string} = {},
): Promise<StatusReading> {
  return readPresence(db.pool, {prefix, instance: options.instance, location: db.location})
}
