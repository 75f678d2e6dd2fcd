import chalk from 'chalk'

/**
 * Whether a live view may take over the terminal: stdin and stdout are terminals and this is not
 * CI (Shopify's `terminalSupportsPrompting`). Under CI Ink holds every frame back until it
 * unmounts, and without a terminal on stdin it cannot read keys; piped, its redraws are escape
 * codes in a file. The `CI` test follows Ink's own (is-in-ci): set and not "0" or "false".
 */
export function isInteractive(
  env: NodeJS.ProcessEnv = process.env,
  streams: {stdin: {isTTY?: boolean}; stdout: {isTTY?: boolean}} = process,
): boolean {
  const ci = env.CI !== undefined && env.CI !== '0' && env.CI !== 'false'
  return Boolean(streams.stdin.isTTY && streams.stdout.isTTY) && !ci && env.CONTINUOUS_INTEGRATION === undefined
}

/**
 * Whether tables get colours: `--color`/`--no-color` when given; otherwise not with NO_COLOR set
 * to anything non-empty (no-color.org), else when chalk finds a colour terminal on stdout (which
 * also honours FORCE_COLOR, TERM=dumb and pipes).
 */
export function wantsColor(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return chalk.level > 0
}
