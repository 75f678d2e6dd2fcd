import {ConfigError} from '../errors.js'
import {QUEUE_NAME_RULE, queueNameProblem} from '../util/queue-name.js'
import {formatCount} from '../util/format-count.js'
import {MAX_QUEUE_LIMIT, queueLimitProblem} from '../util/limits.js'

/**
 * Parses `--queues default:10,events:5` into `{default: 10, events: 5}`: comma-separated
 * `QUEUE:LIMIT` pairs, each limit an integer from 1 to 10,000, each queue named once. Spaces around the
 * parts are ignored. Throws a {@link ConfigError} (exit code 2) naming the first bad part, so
 * nothing starts on a typo.
 */
export function parseQueueSpec(spec: string, flag = '--queues'): Record<string, number> {
  const queues: Record<string, number> = {}
  const parts = spec.split(',').map((part) => part.trim())
  if (parts.every((part) => part === ''))
    throw new ConfigError(`${flag}: expected QUEUE:LIMIT pairs such as default:10,events:5, got an empty value`)
  for (const part of parts) {
    const bad = (why: string) => new ConfigError(`${flag}: ${JSON.stringify(part)} ${why}`)
    if (part === '') throw new ConfigError(`${flag}: empty entry in ${JSON.stringify(spec)}; expected QUEUE:LIMIT`)
    const colon = part.lastIndexOf(':')
    if (colon === -1) throw bad('has no limit; expected QUEUE:LIMIT, e.g. default:10')
    const name = part.slice(0, colon).trim()
    const limitText = part.slice(colon + 1).trim()
    if (name === '') throw bad('has no queue name; expected QUEUE:LIMIT, e.g. default:10')
    if (queueNameProblem(name) !== undefined) throw bad(`has an invalid queue name: ${QUEUE_NAME_RULE}`)
    if (!/^\d+$/.test(limitText) || queueLimitProblem(Number(limitText)) !== undefined)
      throw bad(
        `has an invalid limit ${JSON.stringify(limitText)}: expected an integer from 1 to ${formatCount(MAX_QUEUE_LIMIT)}`,
      )
    if (Object.hasOwn(queues, name)) throw bad(`repeats queue ${JSON.stringify(name)}`)
    queues[name] = Number(limitText)
  }
  return queues
}
