import {isAbsolute} from 'node:path'
import {isPlugin} from './define.js'
import {ConfigError} from '../errors.js'
import type {PluginEntry} from '../config/config.js'
import type {Plugin} from './plugin.js'
import {validatePluginOptions} from './options.js'
import {describe, isRecord} from '../util/guards.js'

/** One entry, taken apart: what it names, its raw options and how messages call it. */
export interface EntryDescriptor {
  readonly ref: Plugin | string
  readonly options: unknown
  /** `plugins[2] (Breakdown)`, or `--plugin Breakdown` for an entry from the command line. */
  readonly label: string
  /** Options from `--plugin Name:key=value`: strings, coerced to what the schema expects. */
  readonly fromFlag: boolean
}

// Marks option objects parsed from `--plugin`: a symbol survives the config's freezing and
// copying (entries are passed through by reference) and a second copy of this module.
const FROM_FLAG = Symbol.for('oban-ts.plugin-options-from-flag')

/** An entry for `--plugin Name:key=value,...`: the options are strings, coerced when validated. */
export function pluginEntryFromFlag(name: string, options: Record<string, string>): PluginEntry {
  const marked = {...options}
  Object.defineProperty(marked, FROM_FLAG, {value: true, enumerable: false})
  return [name, marked]
}

/** Whether a config string names a module file rather than a built-in plugin. */
export function isModulePath(ref: string): boolean {
  return (
    ref.startsWith('.') || isAbsolute(ref) || ref.includes('/') || ref.includes('\\') || /\.[cm]?[jt]sx?$/.test(ref)
  )
}

/**
 * Takes the entries of `plugins` apart, or throws one {@link ConfigError} listing every entry of
 * the wrong shape (`plugins[1]: expected a plugin, ...`).
 */
export function describePluginEntries(entries: readonly unknown[]): EntryDescriptor[] {
  const problems: string[] = []
  const descriptors: EntryDescriptor[] = []
  for (const [index, entry] of entries.entries()) {
    const tuple = Array.isArray(entry) ? (entry as unknown[]) : undefined
    const ref = tuple ? tuple[0] : entry
    const options = tuple ? tuple[1] : undefined
    const refOk = isPlugin(ref) || (typeof ref === 'string' && ref.trim() !== '')
    if (!refOk || (tuple && (tuple.length > 2 || tuple.length === 0))) {
      problems.push(
        `plugins[${index}]: expected a plugin, a built-in plugin's name, a module path, or [plugin, options], got ${describe(entry)}`,
      )
      continue
    }
    const fromFlag = isRecord(options) && (options as Record<symbol, unknown>)[FROM_FLAG] === true
    const name = typeof ref === 'string' ? ref.trim() : ref.pluginName
    descriptors.push({
      ref: typeof ref === 'string' ? name : ref,
      options,
      label: fromFlag ? `--plugin ${name}` : `plugins[${index}] (${name})`,
      fromFlag,
    })
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'))
  return descriptors
}

/**
 * The checks a config can make without loading modules, run when it is validated: the shape of
 * every entry, the options of plugin objects, and the same plugin object or built-in name
 * configured twice. Names and paths are resolved (and their options validated) when the instance
 * starts, before it connects: see `loadPlugins`. Throws {@link ConfigError} with every problem.
 */
export function checkPluginEntries(entries: readonly unknown[]): void {
  const problems: string[] = []
  const seen = new Map<string, string>()
  for (const descriptor of describePluginEntries(entries)) {
    if (typeof descriptor.ref === 'string' && isModulePath(descriptor.ref)) continue
    const name = typeof descriptor.ref === 'string' ? descriptor.ref : descriptor.ref.pluginName
    const first = seen.get(name)
    if (first !== undefined) problems.push(duplicateMessage(name, first, descriptor.label))
    else seen.set(name, descriptor.label)
    if (typeof descriptor.ref === 'string') continue
    try {
      validatePluginOptions(descriptor.ref, descriptor.options, descriptor.label, descriptor.fromFlag)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      problems.push(error.message)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'))
}

/** `plugins[2] (Breakdown): Breakdown is already configured by plugins[0]; configure each plugin once`. */
export function duplicateMessage(name: string, first: string, second: string): string {
  return `${second}: ${name} is already configured by ${first}; configure each plugin once, with all its options`
}
