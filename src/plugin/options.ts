import {z} from 'zod'
import type {Duration} from '../config/config.js'
import {parseDuration} from '../util/duration.js'
import {MAX_AGE_MS, MAX_TIMER_MS} from '../util/limits.js'
import {ConfigError} from '../errors.js'
import type {Plugin} from './plugin.js'
import {didYouMean} from '../util/suggest.js'
import {describe, isRecord} from '../util/guards.js'

/**
 * A zod schema for a duration option: milliseconds as a number, or a string with a unit (`500ms`,
 * `10s`, `5m`, `2h`, `7d`); the parsed value is whole milliseconds. `min` (default 1 ms) and
 * `max` (default about 24.8 days, the longest timer Node runs: see README, "Ranges") bound it;
 * an age compared in SQL rather than waited for may allow up to `MAX_AGE_MS` (100 years); `default` (a duration, in either form) makes the option optional. Every error
 * says what a duration looks like, e.g. `expected a duration of at least 100ms, got "0"`.
 *
 * ```ts
 * options: z.strictObject({interval: durationOption({default: '10s', min: '100ms'})})
 * ```
 */
export function durationOption(options: {min?: Duration; max?: Duration; default?: Duration} = {}) {
  const min = options.min === undefined ? 1 : toMs(options.min, 'min')
  const max = options.max === undefined ? MAX_TIMER_MS : toMs(options.max, 'max')
  const schema = z
    .union([z.number(), z.string()], {
      error: (issue) =>
        `expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got ${describe(issue.input)}`,
    })
    .transform((value, ctx) => {
      const parsed = parseDuration(value, {min, max})
      if (parsed.ok) return parsed.ms
      ctx.addIssue({code: 'custom', message: parsed.reason})
      return z.NEVER
    })
  // The default goes through the same parsing (and bounds), so `default: '10s'` yields 10000.
  return options.default === undefined ? schema : schema.prefault(options.default)
}

function toMs(value: Duration, what: string): number {
  const parsed = parseDuration(value, {min: 0, max: MAX_AGE_MS})
  if (!parsed.ok) throw new TypeError(`durationOption: ${what}: ${parsed.reason}`)
  return parsed.ms
}

/** How an entry of `plugins` is named in messages: `plugins[2] (Breakdown)`, `--plugin Breakdown`. */
export type EntryLabel = string

/**
 * Validates a plugin's options with its schema (no schema: the plugin takes no options) and
 * returns the parsed value. Every problem is reported at once, one line each, naming the entry
 * and the option: `plugins[0] (Breakdown): unknown option "intervl" (did you mean "interval"?)`,
 * `plugins[0] (Breakdown): interval: expected a duration ...`. With `fromStrings` (options from
 * `--plugin Name:key=value`), string values are first coerced to what the option's schema
 * accepts: a number, a boolean or JSON. Throws {@link ConfigError}.
 */
export function validatePluginOptions(plugin: Plugin, raw: unknown, label: EntryLabel, fromStrings = false): unknown {
  const schema: z.ZodType = plugin.definition.options ?? z.strictObject({})
  if (raw !== undefined && !isRecord(raw))
    throw new ConfigError(`${label}: expected an object of options, got ${describe(raw)}`)
  const input = fromStrings && raw ? coerceStrings(schema, raw) : (raw ?? {})
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const lines: string[] = []
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join('.')
    const where = path === '' ? label : `${label}: ${path}`
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path)
      for (const key of issue.keys)
        lines.push(
          known.length === 0 && path === ''
            ? `${where}: unknown option "${key}" (${plugin.pluginName} takes no options)`
            : `${where}: unknown option "${key}"${didYouMean(key, known)}`,
        )
    } else lines.push(`${where}: ${issue.message}`)
  }
  throw new ConfigError(lines.join('\n'))
}

/** The option names of an object schema at `path`, for suggestions. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema
  for (const key of path) current = shapeOf(current)?.[String(key)]
  return Object.keys(shapeOf(current) ?? {})
}

function shapeOf(schema: unknown): Record<string, z.ZodType> | undefined {
  return schema instanceof z.ZodObject ? schema.shape : undefined
}

/**
 * Command-line values are strings. For each option, the string is kept if the option's schema
 * accepts it (durations, enums, names), else replaced by the first of number, boolean or JSON
 * value that it accepts; if none does, the string stays and validation reports it as given.
 */
function coerceStrings(schema: z.ZodType, raw: Record<string, unknown>): Record<string, unknown> {
  const shape = shapeOf(schema)
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => {
      if (typeof value !== 'string') return [key, value]
      const field = shape?.[key]
      const candidates = [value, ...alternatives(value)]
      if (!field) return [key, candidates[candidates.length > 1 ? 1 : 0]]
      const accepted = candidates.find((candidate) => field.safeParse(candidate).success)
      if (accepted !== undefined) return [key, accepted]
      // None is valid: keep the one of the right type (`-1` for a positive integer), so that the
      // error is about its value ("must be at least 1") rather than its type ("expected number").
      return [key, candidates.find((candidate) => !hasTypeIssue(field, candidate)) ?? value]
    }),
  )
}

function hasTypeIssue(field: z.ZodType, candidate: unknown): boolean {
  const result = field.safeParse(candidate)
  return !result.success && result.error.issues.some((issue) => issue.code === 'invalid_type')
}

function alternatives(value: string): unknown[] {
  const out: unknown[] = []
  const trimmed = value.trim()
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) out.push(Number(trimmed))
  if (trimmed === 'true' || trimmed === 'false') out.push(trimmed === 'true')
  if (/^[[{"]|^null$/.test(trimmed)) {
    try {
      out.push(JSON.parse(trimmed))
    } catch {
      // Not JSON: the string stays as given.
    }
  }
  return out
}
