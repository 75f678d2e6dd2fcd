import {ObanError} from '../errors.js'
import type {Plugin, PluginHandle} from './plugin.js'

/**
 * A key under which a service registers within an instance: a role name (`'notifier'`,
 * `'peer'`), a `{plugin: PluginClass}`, or a `{producer: 'queue'}`.
 */
export type RegistryKey = string | {plugin: unknown} | {producer: string} | {[role: string]: unknown}

type Entries = Map<string, Map<string, unknown>>

// The map lives on globalThis under a registered symbol: a config file loaded through a
// transpiler may import a second copy of this module, and both copies must see one registry.
const STORE = Symbol.for('oban-ts.registry')
const globals = globalThis as typeof globalThis & {[STORE]?: Entries}
const entries: Entries = (globals[STORE] ??= new Map<string, Map<string, unknown>>())

/** Error for registering an instance name or a key that is already taken in this process. */
export class AlreadyRegisteredError extends ObanError {
  constructor(message: string) {
    super('already_registered', message)
  }
}

function keyOf(key: RegistryKey): string {
  if (typeof key === 'string') return key
  const [[role, value] = ['', undefined]] = Object.entries(key)
  if (typeof value === 'string') return `${role}:${value}`
  const named = value as {pluginName?: unknown; name?: unknown} | undefined
  const label =
    typeof named?.pluginName === 'string'
      ? named.pluginName
      : typeof named?.name === 'string'
        ? named.name
        : String(value)
  return `${role}:${label}`
}

/** Registers a running instance name; throws if another instance in this process has it. */
export function registerInstance(name: string): void {
  if (entries.has(name)) {
    throw new AlreadyRegisteredError(
      `an Oban instance named "${name}" is already running in this process: give each instance its own name`,
    )
  }
  entries.set(name, new Map())
}

/** Removes an instance and everything registered under it. */
export function unregisterInstance(name: string): void {
  entries.delete(name)
}

/** Names of the instances running in this process. */
export function instanceNames(): string[] {
  return [...entries.keys()]
}

/** Registers a service of a running instance under a key unique within that instance. */
export function register(instance: string, key: RegistryKey, value: unknown): void {
  const services = entries.get(instance)
  if (!services) throw new AlreadyRegisteredError(`no Oban instance named "${instance}" is running in this process`)
  const k = keyOf(key)
  if (services.has(k)) throw new AlreadyRegisteredError(`"${k}" is already registered in instance "${instance}"`)
  services.set(k, value)
}

/** Removes one service registration (no-op if absent). */
export function unregister(instance: string, key: RegistryKey): void {
  entries.get(instance)?.delete(keyOf(key))
}

/**
 * Finds a running service: `whereis('Other', {plugin: Breakdown})` is the plugin's handle, typed
 * by the plugin object (`{plugin: 'Breakdown'}`, by name, an untyped handle). Returns undefined
 * when the instance or the service is not running, as Oban's `Registry.whereis` returns nil.
 */
export function whereis<P extends Plugin>(instance: string, key: {plugin: P}): PluginHandle<P> | undefined
export function whereis(instance: string, key: {plugin: string}): PluginHandle | undefined
export function whereis<T = unknown>(instance: string, key: RegistryKey): T | undefined
export function whereis(instance: string, key: RegistryKey): unknown {
  return entries.get(instance)?.get(keyOf(key))
}
