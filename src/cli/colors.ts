import chalk, {Chalk, type ChalkInstance} from 'chalk'

/**
 * The chalk instance for a command's output: colour with `--color` (even into a pipe); none with
 * `--no-color`, with NO_COLOR set to anything non-empty (no-color.org), or when stdout is not a
 * colour terminal (chalk's own detection, which also honours FORCE_COLOR).
 */
export function outputColors(options: {color?: boolean; env?: NodeJS.ProcessEnv} = {}): ChalkInstance {
  const env = options.env ?? process.env
  if (options.color === true) return new Chalk({level: chalk.level || 1})
  const off = options.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')
  return new Chalk({level: off ? 0 : chalk.level})
}

/** A colour per job state (a JobState, or whatever another client stored), the same in every view. */
export function colorState(state: string, colors: ChalkInstance): string {
  switch (state) {
    case 'available':
      return colors.cyan(state)
    case 'scheduled':
      return colors.blue(state)
    case 'executing':
      return colors.yellow(state)
    case 'retryable':
      return colors.magenta(state)
    case 'completed':
      return colors.green(state)
    case 'discarded':
      return colors.red(state)
    default:
      // suspended, cancelled
      return colors.gray(state)
  }
}
