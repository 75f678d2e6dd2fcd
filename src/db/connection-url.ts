import {DatabaseUrlError} from '../errors.js'

/**
 * Parses and checks a PostgreSQL connection URL. Throws {@link DatabaseUrlError} with the URL's
 * password removed, so a typo never prints a secret.
 */
export function parseDatabaseUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new DatabaseUrlError(
      `malformed database URL ${JSON.stringify(redactUrl(raw))}: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`,
    )
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(
      `unsupported database URL scheme "${url.protocol.replace(/:$/, '')}" in ${redactUrl(raw)}: use postgres:// or postgresql://`,
    )
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new DatabaseUrlError(`database URL ${redactUrl(raw)} names no host: expected postgres://USER@HOST/DATABASE`)
  }
  return url
}

/**
 * Returns the URL with any password replaced by `***`. Works on strings that do not parse as URLs
 * too (best effort on the `user:password@` part), because those are exactly the ones that end up
 * in error messages.
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password !== '') url.password = '***'
    for (const key of ['password', 'sslpassword']) if (url.searchParams.has(key)) url.searchParams.set(key, '***')
    return url.toString()
  } catch {
    return raw.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@')
  }
}

/** Short human description of where a URL points: `host:port/database`, never credentials. */
export function describeDatabase(raw: string): string {
  try {
    const url = new URL(raw)
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)'
    return `${url.hostname}${url.port ? `:${url.port}` : ''}/${database}`
  } catch {
    return redactUrl(raw)
  }
}
