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
