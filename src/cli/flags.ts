import {UsageError} from '../errors.js'
import {Flags} from '@oclif/core'

/** `--instance NAME`: the Oban instance a command addresses (Oban's `name`, default `Oban`). */
export const instanceFlag = Flags.string({
  summary: 'Name of the Oban instance.',
  default: 'Oban',
  helpValue: 'NAME',
})

/** `--data-dir DIR`: where the embedded PostgreSQL keeps its files (also OBAN_DATA_DIR). */
export const dataDirFlag = Flags.string({
  summary: 'Directory of the embedded PostgreSQL (default: <project>/.oban, or OBAN_DATA_DIR).',
  helpValue: 'DIR',
})

/**
 * A string flag that was given must say something: `--node ''` is a usage error naming the flag
 * (exit code 2), not a config error blaming the config file that was merged with it.
 */
export function nonEmptyFlag(flag: string, value: string | undefined, example: string): string | undefined {
  if (value === undefined || value.trim() !== '') return value
  throw new UsageError(`--${flag} is empty: give a name, e.g. --${flag} ${example}`)
}
