import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {ConfigError} from '../errors.js'

/** Config file names, in the order they are preferred within one directory. */
export const CONFIG_FILE_NAMES = [
  'oban.config.ts',
  'oban.config.mts',
  'oban.config.js',
  'oban.config.mjs',
  'oban.config.json',
]

/**
 * Finds the config file for a command run in `cwd`: the first `oban.config.*` in `cwd` or an
 * ancestor, stopping at the project root (a directory with package.json or .git) so that a
 * project never picks up a stray file from a parent project.
 */
export function findConfigFile(cwd: string = process.cwd()): string | undefined {
  let dir = resolve(cwd)
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name)
      if (existsSync(candidate)) return candidate
    }
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'))) return undefined
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/**
 * Loads a config file: JSON is parsed, TypeScript/JavaScript is imported (through jiti, which
 * transpiles TypeScript on the fly so users need no build step) and its default export used. The
 * default export may be an object or a function returning one (sync or async). Throws
 * {@link ConfigError} naming the file for a missing file, a syntax error or a wrong shape.
 */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  const file = resolve(path)
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`)
  let value: unknown
  if (file.endsWith('.json')) {
    try {
      value = JSON.parse(readFileSync(file, 'utf8')) as unknown
    } catch (error) {
      throw new ConfigError(`cannot parse ${file}: ${(error as Error).message}`)
    }
  } else {
    try {
      const {createJiti} = await import('jiti')
      const jiti = createJiti(pathToFileURL(file).href, {interopDefault: false, moduleCache: false})
      // The module, not `{default: true}`: jiti's interop reads a property of the default export
      // and crashes on `export default null` instead of letting the shape check below speak.
      const mod = await jiti.import<Record<string, unknown> | null>(file)
      value = mod !== null && typeof mod === 'object' && 'default' in mod ? mod.default : mod
      if (typeof value === 'function') value = await (value as () => unknown)()
    } catch (error) {
      throw new ConfigError(`cannot load ${file}: ${firstLine(error)}`, {cause: error})
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
    throw new ConfigError(`${file}: the config must be an object, got ${got}: export default {queues: {default: 10}}`)
  }
  return value as Record<string, unknown>
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0] ?? message
}
