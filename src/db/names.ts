import {quoteIdent, validatePrefix} from './identifier.js'

/**
 * The quoted, schema-qualified name of one of Oban's tables or types. The prefix is validated on
 * every call: it is the only part of our SQL that is interpolated rather than bound.
 */
export function qualified(prefix: string, name: string): string {
  return `${quoteIdent(validatePrefix(prefix))}.${quoteIdent(name)}`
}

/** Oban's channel name for a prefix: `<prefix>.oban_<channel>` (quote it for LISTEN). */
export function channelName(prefix: string, channel: string): string {
  return `${validatePrefix(prefix)}.oban_${channel}`
}
