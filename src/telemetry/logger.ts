import {redactUrl} from '../db/connection-url.js'

const RANK: Record<LogLevel, number> = {debug: 10, info: 20, warn: 30, error: 40, silent: 100}

/** Log thresholds, lowest first; `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export interface LoggerOptions {
  level?: LogLevel
  /** Prepended to every line, e.g. the instance name. */
  scope?: string
  /** Where lines go (default stderr), so a live view can route them above its frame. */
  write?: (line: string) => void
}

/**
 * A small levelled logger. Every line passes through {@link redactUrl}-style scrubbing of
 * `user:password@` so a connection string in an error message never leaks a password.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info']
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const prefix = options.scope ? `[${options.scope}] ` : ''
  const at = (level: LogLevel) => (message: string) => {
    if (RANK[level] < threshold) return
    const tag = level === 'info' ? '' : `${level}: `
    write(`${prefix}${tag}${message.replace(/postgres(?:ql)?:\/\/\S+/g, (url) => redactUrl(url))}`)
  }
  return {debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error')}
}
