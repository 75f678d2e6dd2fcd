import {readNodesView, type NodesView} from '../operator/nodes-view.js'
import type {CommandDatabase} from './database-command.js'

export type {NodesView}

/** `oban nodes`: every live node of every runtime on the database and schema (or of `instance`). */
export async function readNodes(
  db: CommandDatabase,
  prefix: string,
  options: {instance?: string} = {},
): Promise<NodesView> {
  return readNodesView(db.pool, {prefix, instance: options.instance, location: db.location})
}
