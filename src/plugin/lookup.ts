import {InstanceNotRunningError, UnknownPluginError} from '../errors.js'
import type {PluginHandle} from './plugin.js'
import {instanceNames, whereis} from './registry.js'

/** The registry key under which an instance's plugin host lists its plugins. */
export const PLUGINS_KEY = 'plugins'

/** What the plugin host registers under {@link PLUGINS_KEY}. */
export interface PluginDirectory {
  handles(): PluginHandle[]
}

/**
 * The handle of `plugin` in an instance's directory, or {@link UnknownPluginError} (with a
 * suggestion and the instance's plugins) when the instance does not run it.
 */
export function handleIn(directory: PluginDirectory, instance: string, plugin: string): PluginHandle {
  const handles = directory.handles()
  const handle = handles.find((h) => h.pluginName === plugin)
  if (handle) return handle
  throw new UnknownPluginError(plugin, {instance, known: handles.map((h) => h.pluginName)})
}

/**
 * The plugins of an instance running in this process, in configuration order, with their
 * status, restarts and last error (what `oban plugin list` reports for this node). Empty when
 * the instance is not running here or runs no plugins.
 */
export function pluginHandles(instance: string): PluginHandle[] {
  return whereis<PluginDirectory>(instance, PLUGINS_KEY)?.handles() ?? []
}

/**
 * Finds a plugin of an instance of this process, as Oban's `Registry.whereis(name, {:plugin,
 * Module})`, but with an error that says what is wrong instead of nil:
 * {@link InstanceNotRunningError} when no instance of that name runs in this process,
 * {@link UnknownPluginError} (with a suggestion and the instance's plugins) when the instance
 * does not run the plugin.
 */
export function findPluginHandle(instance: string, plugin: string): PluginHandle {
  if (!instanceNames().includes(instance)) throw new InstanceNotRunningError(instance)
  const handle = whereis<PluginHandle>(instance, {plugin})
  if (handle) return handle
  throw new UnknownPluginError(plugin, {instance, known: pluginHandles(instance).map((h) => h.pluginName)})
}
