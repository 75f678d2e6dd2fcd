import {InvalidPrefixError} from '../errors.js'

// PostgreSQL truncates identifiers at 63 bytes (NAMEDATALEN - 1); we refuse instead of truncating
// so two long prefixes can never silently name the same schema.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * Validates a schema prefix and returns it. Prefixes are interpolated into SQL as quoted
 * identifiers (they cannot be bind parameters), so this check is what keeps them safe.
 */
export function validatePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !IDENTIFIER.test(prefix)) throw new InvalidPrefixError(String(prefix))
  return prefix
}

/** Quotes an identifier that has passed {@link validatePrefix} (or any identifier) for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
