import {existsSync, statSync} from 'node:fs'
import {extname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {ConfigError} from '../errors.js'

/** Imports user modules (workers, plugins) named in a config. */
export interface ModuleLoader {
  /**
   * Imports a module file and returns its namespace. A module that cannot be loaded (syntax
   * error, a throw at the top level, a missing import) is a {@link ConfigError}:
   * `cannot load <what> from <file>: <first line of the error>`.
   */
  import(file: string, what: string): Promise<unknown>
}

/**
 * A loader for modules named relative to `cwd`. TypeScript is loaded through jiti, as config
 * files are, so no build step is needed. One loader shares one module cache: a module imported
 * by two others is one object rather than two copies (so one worker or plugin is not seen twice).
 */
export async function createModuleLoader(cwd: string): Promise<ModuleLoader> {
  const {createJiti} = await import('jiti')
  const jiti = createJiti(pathToFileURL(join(cwd, 'oban-modules.js')).href, {interopDefault: false, moduleCache: true})
  return {
    async import(file, what) {
      try {
        return await jiti.import(file)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        throw new ConfigError(`cannot load ${what} from ${file}: ${message.split('\n')[0]}`, {cause: error})
      }
    },
  }
}

// TypeScript sources are imported with `.js` specifiers under NodeNext; a config written that way
// (`./plugins/my-plugin.js`) still means the `.ts` file next to it when no `.js` file exists.
const SOURCE_FOR: Record<string, string[]> = {'.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts']}
const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']

/**
 * The module file an absolute path names: the file itself, its TypeScript source (`x.js` ->
 * `x.ts`), or the path with a module extension added (`x` -> `x.ts`). Undefined when none exists.
 */
export function findModuleFile(path: string): string | undefined {
  const isFile = (candidate: string) => existsSync(candidate) && statSync(candidate).isFile()
  if (isFile(path)) return path
  const ext = extname(path)
  for (const source of SOURCE_FOR[ext] ?? []) {
    const candidate = path.slice(0, -ext.length) + source
    if (isFile(candidate)) return candidate
  }
  if (ext === '') return EXTENSIONS.map((e) => path + e).find(isFile)
  return undefined
}
