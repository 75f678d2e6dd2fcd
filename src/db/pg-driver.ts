import {createRequire} from 'node:module'
import type PgModule from 'pg'

/**
 * node-postgres, loaded without Node's fetch implementation. Every module of ours takes pg's
 * values (`new pgDriver.Client`) from here, never from 'pg' itself (`import type pg from 'pg'`
 * for its types).
 *
 * Why: when it loads, pg asks whether it runs in a Cloudflare Worker (lib/stream.js). It reads
 * `navigator.userAgent` and, when there is no `navigator` (Node 20 has none; Node 21 and later
 * do), it creates a `Response` instead, and that first touch of the global makes Node load its
 * whole fetch implementation (undici, http, http2, tls: ~65 internal modules, ~25-30 ms, more
 * than a fifth of a CLI command's start-up) that nothing here uses. For that one synchronous
 * require, a `navigator` with Node's own user agent answers the question; it is removed at
 * once, so no other code ever sees it.
 */
function loadPg(): typeof PgModule {
  const require = createRequire(import.meta.url)
  if ('navigator' in globalThis) return require('pg') as typeof PgModule
  Object.defineProperty(globalThis, 'navigator', {
    value: {userAgent: `Node.js/${process.versions.node.split('.')[0]}`},
    configurable: true,
    writable: true,
  })
  try {
    return require('pg') as typeof PgModule
  } finally {
    delete (globalThis as {navigator?: unknown}).navigator
  }
}

const pgDriver = loadPg()
export default pgDriver
