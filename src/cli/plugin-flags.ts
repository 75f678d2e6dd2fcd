import {Flags} from '@oclif/core'
import {parseDuration} from '../util/duration.js'
import {ConfigError} from '../errors.js'
import {dataDirFlag} from './flags.js'

/** The flags of `oban plugin FUNCTION PLUGIN`. */
export const pluginCallFlags = {
  instance: Flags.string({
    summary: 'The instance whose nodes run the function.',
    default: 'Oban',
    helpValue: 'NAME',
  }),
  node: Flags.string({
    summary: 'Call only this node (its `oban start --node`); default: every live node of the instance.',
    helpValue: 'NODE',
  }),
  timeout: Flags.string({
    summary: 'How long to wait for the nodes to answer (up to 24.8 days).',
    default: '5s',
    helpValue: 'DURATION',
  }),
  'data-dir': dataDirFlag,
}

/** The flags of `oban plugin list`. */
export const pluginListFlags = {
  instance: Flags.string({
    summary: "Only this instance's nodes; default: every instance on the database and schema.",
    helpValue: 'NAME',
  }),
  'data-dir': dataDirFlag,
}

/** Parses `--timeout` (`5s`, `500ms`, `1m`, or milliseconds); a bad value is a one-line usage error. */
export function parseTimeout(text: string): number {
  const parsed = parseDuration(text, {min: 1})
  if (!parsed.ok) throw new ConfigError(`--timeout ${JSON.stringify(text)}: ${parsed.reason}`)
  return parsed.ms
}
