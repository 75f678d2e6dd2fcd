import {resolve} from 'node:path'
import {isPlugin} from './define.js'
import {ConfigError} from '../errors.js'
import {createModuleLoader, findModuleFile, type ModuleLoader} from '../config/module-loader.js'
import type {Plugin} from './plugin.js'
import {describePluginEntries, duplicateMessage, isModulePath, type EntryDescriptor} from './config-entries.js'
import {validatePluginOptions} from './options.js'
import {didYouMean} from '../util/suggest.js'
import {isRecord} from '../util/guards.js'

/** A plugin ready to start: resolved, with validated options. */
export interface ConfiguredPlugin {
  readonly plugin: Plugin
  /** What the options schema returned (defaults applied, durations in milliseconds). */
  readonly options: unknown
  /** How messages name its config entry. */
  readonly label: string
}

export interface LoadPluginsOptions {
  /** Relative module paths are resolved from here: the config file's directory (default cwd). */
  cwd?: string
  /** Relative paths given with `--plugin` are resolved from here: where the command runs (default cwd). */
  commandCwd?: string
  /**
   * The plugins a config may name (`'Breakdown'`). The library knows no concrete plugin: the
   * `oban` CLI hands over plugins/index.ts's catalogue; code imports plugins and passes objects.
   */
  builtins?: PluginCatalog
}

/** Plugins by the name a config gives them. */
export type PluginCatalog = Readonly<Record<string, Plugin>>

/**
 * Resolves the `plugins` of a config into plugins ready to start, before the instance connects,
 * so that a typo starts nothing: names are looked up in `options.builtins` (with a suggestion
 * for a misspelt one), module paths are imported (TypeScript through jiti), every
 * entry's options are validated with its plugin's schema, and a plugin configured twice is
 * refused. Throws {@link ConfigError} naming the entry.
 */
export async function loadPlugins(
  entries: readonly unknown[],
  options: LoadPluginsOptions = {},
): Promise<ConfiguredPlugin[]> {
  const descriptors = describePluginEntries(entries)
  if (descriptors.length === 0) return []
  const cwd = resolve(options.cwd ?? process.cwd())
  const commandCwd = resolve(options.commandCwd ?? process.cwd())
  let loader: ModuleLoader | undefined
  const configured: ConfiguredPlugin[] = []
  const seen = new Map<string, string>()
  for (const descriptor of descriptors) {
    const {ref} = descriptor
    const path = typeof ref === 'string' && isModulePath(ref)
    let plugin: Plugin
    if (typeof ref !== 'string') plugin = ref
    else if (!path) plugin = builtin(ref, descriptor.label, options.builtins ?? {})
    else {
      const base = descriptor.fromFlag ? commandCwd : cwd
      plugin = await fromModule(descriptor, base, (loader ??= await createModuleLoader(cwd)))
    }
    // An entry given by path is named by its plugin once loaded: `plugins[1] (MyPlugin)`.
    const label = path ? `${descriptor.label.replace(/ \(.*\)$/, '')} (${plugin.pluginName})` : descriptor.label
    const first = seen.get(plugin.pluginName)
    if (first !== undefined) throw new ConfigError(duplicateMessage(plugin.pluginName, first, label))
    seen.set(plugin.pluginName, label)
    configured.push({
      plugin,
      options: validatePluginOptions(plugin, descriptor.options, label, descriptor.fromFlag),
      label,
    })
  }
  return configured
}

function builtin(name: string, label: string, catalog: PluginCatalog): Plugin {
  const plugin = Object.hasOwn(catalog, name) ? catalog[name] : undefined
  if (plugin) return plugin
  const names = Object.keys(catalog).sort()
  if (names.length === 0)
    throw new ConfigError(
      `${label}: unknown plugin "${name}": plugins go by name only under the oban CLI; in code, import the plugin (import {${name}} from 'oban-ts/plugins') and configure the object, or give a module path`,
    )
  throw new ConfigError(
    `${label}: unknown plugin "${name}"${didYouMean(name, names)}: the built-in plugins are ${names.join(', ')}; give a custom plugin by its module path, e.g. ./plugins/my-plugin.js`,
  )
}

async function fromModule(descriptor: EntryDescriptor, cwd: string, loader: ModuleLoader): Promise<Plugin> {
  const path = resolve(cwd, descriptor.ref as string)
  const file = findModuleFile(path)
  if (!file) throw new ConfigError(`${descriptor.label}: ${path} does not exist`)
  const namespace = await loader.import(file, 'a plugin')
  if (!isRecord(namespace)) throw new ConfigError(`${descriptor.label}: ${file} exports no plugin`)
  if (isPlugin(namespace.default)) return namespace.default
  const found = [...new Set(Object.values(namespace).filter(isPlugin))]
  if (found.length === 1) return found[0]!
  throw new ConfigError(
    found.length === 0
      ? `${descriptor.label}: ${file} exports no plugin: export the result of definePlugin({name, create, ...})`
      : `${descriptor.label}: ${file} exports several plugins (${found.map((p) => p.pluginName).join(', ')}): export the one to use as default, or give each its own module`,
  )
}
