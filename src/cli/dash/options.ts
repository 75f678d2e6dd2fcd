import {ConfigError, NotATerminalError} from '../../errors.js'
import {parseDuration} from '../../util/duration.js'

const DEFAULT_INTERVAL = '2s'
const MIN_INTERVAL_MS = 250

/** `--interval`: `2s`, `500ms`, `1m` or milliseconds, at least 250ms; a ConfigError (exit 2) otherwise. */
export function parseDashInterval(value: string | undefined): number {
  const parsed = parseDuration(value ?? DEFAULT_INTERVAL, {min: MIN_INTERVAL_MS})
  if (!parsed.ok) throw new ConfigError(`--interval ${value}: ${parsed.reason}`)
  return parsed.ms
}

/** The refusal off a terminal: what to run instead. */
export function notATerminal(): NotATerminalError {
  return new NotATerminalError(
    'oban dash needs a terminal (stdin and stdout, not CI); for text use `oban breakdown`, `oban queue list` or `oban job list`',
  )
}
