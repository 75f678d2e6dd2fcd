import {existsSync, readdirSync, statSync} from 'node:fs'
import {extname, join, resolve} from 'node:path'
import {ConfigError, UnknownWorkerError} from '../errors.js'
import {createModuleLoader} from '../config/module-loader.js'
import {didYouMean} from '../util/suggest.js'
import {isWorker, type Worker} from './worker.js'
import {describe, isRecord} from '../util/guards.js'

/** The outcome of looking a worker up by the name stored in a job. */
export type ResolvedWorker = {ok: true; worker: Worker} | {ok: false; error: UnknownWorkerError}

/**
 * The workers a node can run, by name. A job whose worker is not here fails with
 * `unknown worker: X` (Oban's behaviour), so another node that knows the worker may run it
 * on a later attempt.
 */
export class WorkerRegistry implements Iterable<Worker> {
  private readonly workers = new Map<string, {worker: Worker; source: string}>()

  constructor(workers: Iterable<Worker> = []) {
    for (const worker of workers) this.register(worker)
  }

  /**
   * Adds a worker. Registering the same worker object again is a no-op; another worker with the
   * same name is a {@link ConfigError} naming both sources.
   */
  register(worker: Worker, source = 'code'): this {
    if (!isWorker(worker))
      throw new ConfigError(`${source}: expected a worker made by defineWorker, got ${describe(worker)}`)
    const existing = this.workers.get(worker.name)
    if (existing && existing.worker !== worker && existing.worker.definition !== worker.definition)
      throw new ConfigError(`duplicate worker name "${worker.name}": defined in ${existing.source} and in ${source}`)
    if (!existing) this.workers.set(worker.name, {worker, source})
    return this
  }

  get(name: string): Worker | undefined {
    return this.workers.get(name)?.worker
  }

  has(name: string): boolean {
    return this.workers.has(name)
  }

  /** The worker for a job's `worker` column, or an {@link UnknownWorkerError} to fail the job with. */
  resolve(name: string): ResolvedWorker {
    const found = this.workers.get(name)
    if (found) return {ok: true, worker: found.worker}
    return {ok: false, error: new UnknownWorkerError(name, didYouMean(name, this.workers.keys()))}
  }

  get names(): string[] {
    return [...this.workers.keys()].sort()
  }

  get size(): number {
    return this.workers.size
  }

  [Symbol.iterator](): Iterator<Worker> {
    return [...this.workers.values()].map((entry) => entry.worker)[Symbol.iterator]()
  }
}

export interface LoadWorkersOptions {
  /** Relative paths are resolved from here (default process.cwd()). */
  cwd?: string
}

/** Module files picked up from a worker folder. Declaration files and tests are skipped. */
const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'])
const SKIPPED = /(\.d\.[cm]?ts|\.(test|spec)\.[cm]?[jt]s)$/

/**
 * Builds the registry from the `workers` option: worker objects, module paths (every export that
 * is a worker, including arrays of workers and the values of a default-exported object), or
 * folders (every module directly inside). TypeScript is loaded through jiti, as config files
 * are, so no build step is needed. A module without workers, a missing path, a duplicate name
 * or any other entry is a {@link ConfigError} naming the entry.
 */
export async function loadWorkers(entries: unknown, options: LoadWorkersOptions = {}): Promise<WorkerRegistry> {
  if (entries === undefined || entries === null) return new WorkerRegistry()
  const cwd = resolve(options.cwd ?? process.cwd())
  const list: unknown[] = typeof entries === 'string' ? [entries] : Array.isArray(entries) ? entries : [entries]
  const registry = new WorkerRegistry()
  // One loader for the whole load, with its module cache, so that a worker imported by two modules
  // of a folder is one object rather than two copies with the same name.
  const loader = await createModuleLoader(cwd)
  for (const [index, entry] of list.entries()) {
    const where = typeof entries === 'string' ? 'workers' : `workers[${index}]`
    if (isWorker(entry)) registry.register(entry, where)
    else if (typeof entry === 'string' && entry.trim() !== '') {
      for (const file of modulesAt(resolve(cwd, entry), where)) {
        const found = exportedWorkers(await loader.import(file, 'workers'))
        if (found.length === 0)
          throw new ConfigError(`${file} exports no worker: export the result of defineWorker({name, perform})`)
        for (const worker of found) registry.register(worker, file)
      }
    } else
      throw new ConfigError(
        `${where}: expected a worker (defineWorker(...)), a module path or a folder, got ${describe(entry)}`,
      )
  }
  return registry
}

function modulesAt(path: string, where: string): string[] {
  if (!existsSync(path)) throw new ConfigError(`${where}: ${path} does not exist`)
  if (!statSync(path).isDirectory()) return [path]
  const files = readdirSync(path)
    .filter((name) => !name.startsWith('.') && MODULE_EXTENSIONS.has(extname(name)) && !SKIPPED.test(name))
    .sort()
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile())
  if (files.length === 0) throw new ConfigError(`${where}: ${path} contains no .ts, .js or .mjs module`)
  return files
}

function exportedWorkers(namespace: unknown): Worker[] {
  const found = new Set<Worker>()
  const visit = (value: unknown, depth: number): void => {
    if (isWorker(value)) {
      found.add(value)
    } else if (Array.isArray(value)) {
      for (const item of value) if (isWorker(item)) found.add(item)
    } else if (depth === 0 && isRecord(value)) {
      for (const item of Object.values(value)) visit(item, depth + 1)
    }
  }
  if (isRecord(namespace)) {
    for (const [key, value] of Object.entries(namespace)) visit(value, key === 'default' ? 0 : 1)
  }
  return [...found]
}
