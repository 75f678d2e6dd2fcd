import {parseConfig, type Config, type ObanOptions} from '../config/config.js'
import {ConfigError} from '../errors.js'
import {checkPluginEntries} from '../plugin/config-entries.js'

/**
 * Validates options and returns the frozen {@link Config}: every option as `parseConfig` checks
 * it, then each plugin entry's shape and the options of plugin objects (names and paths are
 * resolved when the instance starts). Every problem is reported at once, one line each, naming
 * where it is. Throws {@link ConfigError}.
 */
export function createConfig(options: ObanOptions | Record<string, unknown> = {}, source = 'config'): Config {
  const config = parseConfig(options, source)
  try {
    checkPluginEntries(config.plugins)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw new ConfigError(
      error.message
        .split('\n')
        .map((line) => `${source}: ${line}`)
        .join('\n'),
    )
  }
  return config
}
