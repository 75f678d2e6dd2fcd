import type {NodePresence} from '../cluster/presence-record.js'
import {callPluginFunction, type PluginCallOptions, type PluginCallResult} from '../control/client.js'
import {requireNodes} from '../control/nodes.js'
import type {CommandDatabase} from './database-command.js'

export {PluginCallFailedError} from '../control/errors.js'
export type {NodePresence, PluginCallResult}

/**
 * `oban plugin list`: the live oban-ts nodes on the database and schema (or only `instance`'s),
 * with their plugins and interface functions; InstanceNotRunningError when there are none.
 */
export async function listPluginNodes(
  db: CommandDatabase,
  prefix: string,
  options: {instance?: string} = {},
): Promise<NodePresence[]> {
  return requireNodes(db.pool, {prefix, instance: options.instance, location: db.location})
}

/**
 * `oban plugin FUNCTION PLUGIN [ARGS...]`: calls the function on the addressed nodes and resolves
 * with every node's outcome, failures included (check `ok`). It takes the database's URL, not a
 * pool: the replies arrive on a LISTEN connection of its own.
 */
export async function callPlugin(url: string, call: PluginCallOptions): Promise<PluginCallResult> {
  return callPluginFunction(url, call)
}
