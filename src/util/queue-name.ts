/**
 * The one rule for queue names, applied wherever a name enters: config `queues`, `--queues`,
 * inserts (library and `oban job insert`), queue signals sent and received. A queue whose name
 * breaks it could never be run by a node (configs refuse it), so a job inserted into it would
 * wait for ever. Filters that only read jobs stay permissive.
 *
 * 1 to 127 characters (Oban's `queue_length` check), without whitespace, quotes or backslashes
 * (they break the `--queues NAME:LIMIT` syntax, shell use and log lines).
 */
export const QUEUE_NAME_RULE = '1 to 127 characters, without spaces, quotes or backslashes'

const FORBIDDEN = /[\s"'\\]/u

/** Undefined when `name` is a valid queue name; otherwise what is wrong with it, for a message. */
export function queueNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `a queue name is a string of ${QUEUE_NAME_RULE}`
  if (name.length === 0) return 'a queue name cannot be empty'
  if ([...name].length > 127) return `a queue name has at most 127 characters, got ${[...name].length}`
  if (FORBIDDEN.test(name)) return 'a queue name cannot contain spaces, quotes or backslashes'
  return undefined
}

/** Whether `name` is a valid queue name (see {@link queueNameProblem}). */
export function isQueueName(name: unknown): name is string {
  return queueNameProblem(name) === undefined
}
