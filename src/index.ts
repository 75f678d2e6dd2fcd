// The public library API of oban-ts. Everything `oban start` does is reachable from here.
export {Oban, type StartOptions, type DatabaseInfo} from './oban.js'
export {
  createConfig,
  defaultNode,
  type Config,
  type ObanOptions,
  type QueueOptions,
  type Duration,
  type LogLevel,
} from './config.js'
export {findConfigFile, loadConfigFile} from './config-file.js'
export {whereis, instanceNames} from './registry.js'
export {createLogger, type Logger} from './logger.js'
export * from './errors.js'

/** Identity helper that gives a config file types: `export default defineConfig({...})`. */
export function defineConfig<T extends import('./config.js').ObanOptions>(config: T): T {
  return config
}
