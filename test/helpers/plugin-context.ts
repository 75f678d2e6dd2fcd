import {createConfig} from '../../src/instance/create-config.js'
import type {Pool} from '../../src/db/pool.js'
import type {Notifier} from '../../src/notifier/notifier.js'
import type {PluginContext} from '../../src/plugin/plugin.js'
import {createRepo} from '../../src/plugin/repo.js'
import {WorkerRegistry} from '../../src/job/worker-registry.js'
import type {Worker} from '../../src/job/worker.js'

/** A plugin context on a test pool, with the leadership, the clock and the log under the test's control. */
export interface TestPluginContext {
  context: PluginContext
  /** Lines the plugin logged, as `level: message`. */
  logs: string[]
  /** Errors the plugin reported to its supervisor. */
  crashes: unknown[]
  /** Set whether this "node" leads. */
  setLeader: (leader: boolean) => void
  /** Stops the plugin's incarnation (aborts its signal). */
  abort: () => void
}

/**
 * Builds the context a plugin host would give a service, without an instance: the repo on the
 * test's pool, a real config (name, node, prefix), no notifier (the maintenance plugins never
 * use it), and the node's workers.
 */
export function testPluginContext(
  pool: Pool,
  options: {name?: string; node?: string; prefix?: string; leader?: boolean; workers?: Worker[]} = {},
): TestPluginContext {
  const conf = createConfig({
    name: options.name ?? 'Oban',
    node: options.node ?? 'test-node',
    prefix: options.prefix ?? 'public',
    queues: false,
  })
  let leader = options.leader ?? true
  const logs: string[] = []
  const crashes: unknown[] = []
  const controller = new AbortController()
  const context: PluginContext = {
    conf,
    name: `${conf.name}.Test`,
    repo: createRepo(pool, conf.prefix),
    notifier: {} as Notifier,
    logger: {
      debug: (message) => logs.push(`debug: ${message}`),
      info: (message) => logs.push(`info: ${message}`),
      warn: (message) => logs.push(`warn: ${message}`),
      error: (message) => logs.push(`error: ${message}`),
    },
    workers: new WorkerRegistry(options.workers ?? []),
    isLeader: () => leader,
    signal: controller.signal,
    crash: (error) => crashes.push(error),
    emit: () => undefined,
  }
  return {
    context,
    logs,
    crashes,
    setLeader: (value) => {
      leader = value
    },
    abort: () => controller.abort(),
  }
}

/** A clock tests move by hand. */
export function testClock(start: string | Date) {
  let now = new Date(start)
  return {
    now: () => new Date(now),
    set: (at: string | Date) => {
      now = new Date(at)
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms)
    },
  }
}
