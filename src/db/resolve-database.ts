import {parseDatabaseUrl} from './connection-url.js'
import {EmbeddedPostgresError} from '../errors.js'

/** Where a command's database came from. */
export type DatabaseSource = 'flag' | 'env' | 'embedded'

export interface ResolvedDatabase {
  url: string
  source: DatabaseSource
  /** True when this call started the embedded server (so its caller may stop it on exit). */
  startedEmbedded: boolean
  /** The embedded server's data directory, when the source is `embedded`. */
  dataDir?: string
  /**
   * The URL for connections that need a session of their own (LISTEN, the lease session):
   * `notifierUrl`, then OBAN_NOTIFIER_URL, otherwise `url`. Differs from `url` when `url` goes
   * through a transaction pooler.
   */
  directUrl: string
}

export interface ResolveDatabaseOptions {
  /** `--database-url`; wins over the environment. */
  databaseUrl?: string
  /** Defaults to process.env; reads DATABASE_URL, then OBAN_DATABASE_URL, then OBAN_DATA_DIR. */
  env?: NodeJS.ProcessEnv
  /** Where the project search starts (default process.cwd()). */
  cwd?: string
  /** `--notifier-url` / the `notifierUrl` option; wins over OBAN_NOTIFIER_URL. */
  notifierUrl?: string
  /** `--data-dir`; wins over OBAN_DATA_DIR. */
  dataDir?: string
  /**
   * `start` (default): start the embedded server if it is not running. `running`: use it only if
   * it runs — for commands that talk to running nodes (a queue signal), where starting an empty
   * server could only mislead.
   */
  embedded?: 'start' | 'running'
}

/**
 * Picks the database a command uses: `--database-url`, then DATABASE_URL / OBAN_DATABASE_URL
 * (an external server, never started or stopped by us), otherwise the embedded server under the
 * project's `.oban/`, started if it is not running.
 */
export async function resolveDatabase(options: ResolveDatabaseOptions = {}): Promise<ResolvedDatabase> {
  const env = options.env ?? process.env
  const direct = options.notifierUrl || env.OBAN_NOTIFIER_URL
  if (direct) parseDatabaseUrl(direct)
  const resolved = await resolveMain(options, env)
  // The embedded server has no pooler in front: a stray OBAN_NOTIFIER_URL must not point elsewhere.
  return {...resolved, directUrl: direct && resolved.source !== 'embedded' ? direct : resolved.url}
}

async function resolveMain(
  options: ResolveDatabaseOptions,
  env: NodeJS.ProcessEnv,
): Promise<Omit<ResolvedDatabase, 'directUrl'>> {
  if (options.databaseUrl) {
    parseDatabaseUrl(options.databaseUrl)
    return {url: options.databaseUrl, source: 'flag', startedEmbedded: false}
  }
  const fromEnv = env.DATABASE_URL || env.OBAN_DATABASE_URL
  if (fromEnv) {
    parseDatabaseUrl(fromEnv)
    return {url: fromEnv, source: 'env', startedEmbedded: false}
  }
  const dataDir = options.dataDir ?? env.OBAN_DATA_DIR
  // Loaded only here: a command on an external database does not pay for the embedded server's modules.
  const {embeddedStatus, ensureEmbedded} = await import('./embedded/index.js')
  if (options.embedded === 'running') {
    const status = await embeddedStatus({dataDir, cwd: options.cwd})
    if (!status.running || !status.url) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL in ${status.dataDir} is not running, so no node can be using it: start one with \`oban start\`, or pass --database-url`,
      )
    }
    return {url: status.url, source: 'embedded', startedEmbedded: false, dataDir: status.dataDir}
  }
  const server = await ensureEmbedded({dataDir, cwd: options.cwd})
  return {url: server.url, source: 'embedded', startedEmbedded: server.startedByUs, dataDir: server.dataDir}
}
