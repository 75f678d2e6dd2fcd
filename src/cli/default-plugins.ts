import type {PluginEntry} from '../config/config.js'

/**
 * The maintenance that `oban start` without a config file, and the config `oban init` writes,
 * run besides Breakdown, so that the defaults lose no work and keep the table small:
 *
 * - Lifeline rescues a job left `executing` by a node that is gone (Ctrl-C twice, a crash, a
 *   kill) 5 minutes after it started; while its oban-ts node is alive (presence table) a job is
 *   never rescued, however long it runs. Elixir and Python nodes write no presence row: sharing
 *   the database with them, raise rescueAfter above their longest job.
 * - Pruner deletes completed, cancelled and discarded jobs after 7 days (Oban's own default is
 *   60 s, which leaves nothing to look at).
 */
export const DEFAULT_MAINTENANCE_PLUGINS: readonly PluginEntry[] = [
  ['Lifeline', {rescueAfter: '5m'}],
  ['Pruner', {maxAge: '7d'}],
]
