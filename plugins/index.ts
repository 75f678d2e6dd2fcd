// The built-in plugins: configs and `oban start --plugin` name them by these names.
import type {Plugin} from '../src/plugin.js'
import {Breakdown} from './breakdown/index.js'

export * from './breakdown/index.js'

/** Every built-in plugin by its name, as `plugins: ['Breakdown']` and `--plugin Breakdown` find them. */
export const builtinPlugins: Readonly<Record<string, Plugin>> = Object.freeze({
  [Breakdown.pluginName]: Breakdown,
})
