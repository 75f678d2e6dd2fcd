// The built-in plugins: configs and `oban start --plugin` name them by these names.
import type {Plugin} from '../src/plugin/plugin.js'
import {Breakdown} from './breakdown/index.js'
import {Cron} from './cron/index.js'
import {Lifeline} from './lifeline/index.js'
import {Pruner} from './pruner/index.js'
import {Reindexer} from './reindexer/index.js'

export * from './breakdown/index.js'
export * from './cron/index.js'
export * from './lifeline/index.js'
export * from './pruner/index.js'
export * from './reindexer/index.js'
// What the maintenance services' public members name.
export type {IntervalService} from '../src/plugin/interval-service.js'
export type {FollowerSkip, ServiceClock} from '../src/plugin/maintenance.js'

/** Every built-in plugin by its name, as `plugins: ['Breakdown']` and `--plugin Breakdown` find them. */
export const builtinPlugins: Readonly<Record<string, Plugin>> = Object.freeze({
  [Breakdown.pluginName]: Breakdown,
  [Cron.pluginName]: Cron,
  [Lifeline.pluginName]: Lifeline,
  [Pruner.pluginName]: Pruner,
  [Reindexer.pluginName]: Reindexer,
})
