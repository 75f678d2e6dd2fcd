import type {Hook} from '@oclif/core'
import {UsageError} from '../../errors.js'
import {suggest} from '../../util/suggest.js'

/**
 * oclif's `command_not_found` hook (package.json `oclif.hooks`): an unknown command is one line
 * with the closest command (`oban jobs list` -> `oban job list`) and exit code 2, instead of
 * oclif's `command jobs:list not found`.
 */
const hook: Hook.CommandNotFound = async function ({id, config}) {
  const bin = config.bin
  const spaced = (commandId: string) => commandId.split(':').join(' ')
  // Commands and topics (`oban jobz` -> `oban job`); oclif's id may carry the arguments too
  // (`qeue:pause:x`), so shorter prefixes are tried until one is close to something.
  const names = [...config.commandIDs, ...config.topics.map((topic) => topic.name)]
    .filter((name) => !name.startsWith('help'))
    .map(spaced)
  const parts = id.split(':')
  let hit: string | undefined
  for (let n = parts.length; n > 0 && hit === undefined; n--) hit = suggest(parts.slice(0, n).join(' '), names)
  const mean = hit === undefined ? '' : ` (did you mean "${bin} ${hit}"?)`
  const error = new UsageError(`unknown command "${bin} ${spaced(id)}"${mean}: run \`${bin} --help\` for the commands`)
  // Printed by oclif's error handler as our own errors are (see base-command.ts), exit code 2.
  throw Object.assign(new Error(error.message), {exitCode: 2, obanCode: error.code, oclif: {exit: 2}})
}

export default hook
