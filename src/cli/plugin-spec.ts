import {ConfigError} from '../errors.js'
import type {PluginEntry} from '../config/config.js'
import {pluginEntryFromFlag} from '../plugin/config-entries.js'

/** An option name in `--plugin Name:key=value`. */
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Parses the values of a repeatable `--plugin NAME[:KEY=VALUE,...]` flag into `plugins` entries:
 * `Breakdown:interval=10s` -> `['Breakdown', {interval: '10s'}]`, `Pruner` -> `['Pruner', {}]`.
 * NAME is a built-in plugin's name or a module path (`./plugins/mine.ts:limit=5`). Values stay
 * strings here; when the plugin's options are validated, each is coerced to what its schema
 * accepts (durations take strings as they are; numbers, booleans and JSON are converted). A value
 * may contain commas inside brackets, braces or quotes (`tags=["a","b"]`). Throws a
 * {@link ConfigError} (exit code 2) naming the bad flag, so nothing starts on a typo.
 */
export function parsePluginSpecs(specs: readonly string[], flag = '--plugin'): PluginEntry[] {
  return specs.map((spec) => parsePluginSpec(spec, flag))
}

export function parsePluginSpec(spec: string, flag = '--plugin'): PluginEntry {
  const bad = (why: string) => new ConfigError(`${flag} ${JSON.stringify(spec)}: ${why}`)
  const {name, rest} = splitName(spec.trim())
  if (name === '') throw bad('expected a plugin name or module path, e.g. Breakdown or Breakdown:interval=10s')
  const options: Record<string, string> = {}
  if (rest !== undefined) {
    const pairs = splitPairs(rest)
    if (pairs.every((pair) => pair.trim() === ''))
      throw bad(`expected KEY=VALUE pairs after "${name}:", e.g. ${name}:interval=10s`)
    for (const pair of pairs) {
      const eq = pair.indexOf('=')
      const key = (eq === -1 ? pair : pair.slice(0, eq)).trim()
      if (eq === -1 || !KEY.test(key))
        throw bad(`${JSON.stringify(pair.trim())} is not KEY=VALUE; expected e.g. ${name}:interval=10s`)
      if (Object.hasOwn(options, key)) throw bad(`option "${key}" is given twice`)
      options[key] = pair.slice(eq + 1).trim()
    }
  }
  return pluginEntryFromFlag(name, options)
}

/** The name ends at the first colon, except a Windows drive letter's (`C:\plugins\mine.ts:limit=5`). */
function splitName(spec: string): {name: string; rest?: string} {
  const drive = /^[A-Za-z]:[\\/]/.test(spec) ? 2 : 0
  const at = spec.indexOf(':', drive)
  return at === -1 ? {name: spec} : {name: spec.slice(0, at).trim(), rest: spec.slice(at + 1)}
}

/** Splits on commas outside brackets, braces and double quotes. */
function splitPairs(text: string): string[] {
  const pairs: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted
    else if (quoted) continue
    else if (c === '[' || c === '{') depth++
    else if (c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      pairs.push(text.slice(start, i))
      start = i + 1
    }
  }
  pairs.push(text.slice(start))
  return pairs
}
