import type {Config} from '../config/config.js'
import type {JobId} from '../job/job-id.js'
import {describeDatabase} from '../db/connection-url.js'
import {markInstanceOwner, releaseEmbedded} from '../db/embedded/index.js'
import {migrateUp, verifyMigrated} from '../db/migrations/index.js'
import {checkConnection, createPool, type Pool, type Queryable} from '../db/pool.js'
import {Lane} from '../db/lane.js'
import {resolveDatabase, type DatabaseSource} from '../db/resolve-database.js'
import {startNodeControl} from '../control/node-control.js'
import {coerceError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import {IsolatedNotifier} from '../notifier/isolated-notifier.js'
import type {Notifier} from '../notifier/notifier.js'
import {OutboundNotifier} from '../notifier/outbound-notifier.js'
import {PostgresNotifier} from '../notifier/postgres-notifier.js'
import {Sonar} from '../notifier/sonar.js'
import {LeaderConflictWatch} from '../cluster/leader-conflict-watch.js'
import {Peer} from '../cluster/peer.js'
import {SonarRecorder} from '../cluster/sonar-recorder.js'
import {PRESENCE_INTERVAL_MS, PRESENCE_TTL_MS} from '../cluster/presence.js'
import type {PluginFailedError} from '../errors.js'
import {PluginHost} from '../plugin/host.js'
import {loadPlugins, type PluginCatalog} from '../plugin/loader.js'
import {Acker} from '../queue/acker.js'
import {createRepo, searchPathFor} from '../plugin/repo.js'
import {startExecution} from '../queue/executor.js'
import {Queues} from '../queue/queues.js'
import {identOf} from '../queue/signals.js'
import {Stager} from '../queue/stager.js'
import {loadWorkers, type WorkerRegistry} from '../job/worker-registry.js'
import {PauseWatch} from '../util/pause-watch.js'

// A node's presence row is rewritten every PRESENCE_INTERVAL_MS and lives PRESENCE_TTL_MS, so it
// has at least the difference left at any time: a shorter pause cannot have let it lapse, and
// while it is live, no oban-ts Lifeline rescues this node's jobs.
const LAPSE_AFTER_MS = PRESENCE_TTL_MS - PRESENCE_INTERVAL_MS

export interface StartOptions {
  /** Migrate before starting (default: only the embedded database, which is ours). */
  migrate?: boolean
  cwd?: string
  /** Where relative `workers` paths are resolved (default `cwd`); `oban start` passes the config file's directory. */
  baseDir?: string
  dataDir?: string
  /** Poll interval of idle producers (ms, default 1000). */
  pollInterval?: number
  /** Election interval and lease (ms, default 30s); tests shorten it. */
  peerInterval?: number
  /** How often the nodes heard on the sonar channel are written for the CLI (ms, default 5 s). */
  sonarRecordInterval?: number
  /** How often a Python Oban leader beside an oban_peers one is looked for (ms, default 30 s). */
  leaderCheckInterval?: number
  /** Plugins that `plugins` may name (the CLI hands over the built-in ones); see loadPlugins. */
  builtinPlugins?: PluginCatalog
}

/** Where a started instance's database is, for status lines. Never contains a password. */
export interface DatabaseInfo {
  source: DatabaseSource
  /** `host:port/database` */
  location: string
  /** The embedded data directory, when the source is `embedded`. */
  dataDir?: string
}

/** Everything a running instance owns, released by {@link Runtime.release} in reverse order. */
export interface Runtime {
  readonly pool: Pool
  /** Where inserts outside a caller's transaction run: a lane of the pool (src/db/lane.ts). */
  readonly inserts: Queryable
  readonly notifier: Notifier
  readonly sonar: Sonar
  readonly peer: Peer
  readonly queues: Queues
  readonly workers: WorkerRegistry
  readonly plugins: PluginHost
  readonly database: DatabaseInfo
  /** Stops fetching, waits for running jobs (grace period), writes their acks, resigns, closes. */
  release(): Promise<{orphaned: JobId[]}>
}

/** What the instance hears from its runtime while it runs. */
export interface RuntimeHooks {
  /** A plugin crashed past the restart intensity under `escalate`: the instance must stop. */
  onEscalate?(error: PluginFailedError): void
}

/**
 * Starts the services of an instance in Oban's order (database, notifier, sonar, peer, queues,
 * stager, plugins) and returns them. On a failure midway, whatever was started is released before the
 * error is rethrown, so a failed start leaves no connection, timer or server behind.
 */
export async function startRuntime(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
  hooks: RuntimeHooks = {},
): Promise<Runtime> {
  const releasers: (() => Promise<unknown>)[] = []
  const release = async () => {
    for (const releaser of releasers.splice(0).reverse()) {
      await releaser().catch((error: unknown) => logger.warn(`while stopping: ${coerceError(error).message}`))
    }
  }
  try {
    // Workers are loaded first: a typo in a worker path fails before any connection is made.
    const workers = await loadWorkers(config.workers, {cwd: options.baseDir ?? options.cwd})
    const plugins = await loadPlugins(config.plugins, {
      cwd: options.baseDir ?? options.cwd,
      commandCwd: options.cwd,
      builtins: options.builtinPlugins,
    })
    const resolved = await resolveDatabase({
      databaseUrl: config.databaseUrl,
      notifierUrl: config.notifierUrl,
      cwd: options.cwd,
      dataDir: options.dataDir,
    })
    if (resolved.source === 'embedded' && resolved.dataDir) {
      const dataDir = resolved.dataDir
      const startedHere = resolved.startedEmbedded
      // Without the marker the server is only left running at exit, as one the user started: never fatal.
      if (startedHere) await markInstanceOwner(dataDir).catch(() => undefined)
      releasers.push(async () => {
        const {others} = await releaseEmbedded({dataDir, url: resolved.url})
        if (others > 0)
          logger.info(
            `left the embedded PostgreSQL running: ${others} other connection(s) still use it; the last node to exit stops it (or \`oban db stop\`)`,
          )
      })
    }
    const database: DatabaseInfo = {
      source: resolved.source,
      location: describeDatabase(resolved.url),
      dataDir: resolved.dataDir,
    }
    const pool = createPool(resolved.url, {
      max: config.poolSize,
      applicationName: `oban-ts ${config.name} ${config.node}`,
      searchPath: searchPathFor(config.prefix),
      prepare: config.prepare,
      onError: (error) => logger.warn(`database connection lost: ${error.message}`),
    })
    releasers.push(() => pool.end())
    await checkConnection(pool, resolved.url)
    // Lanes hold a pool connection each for the statements that come one after another on a busy
    // node: inserts, fetches, ack writes. Each is closed right after its last statement: its
    // releaser is registered just before the releaser of what uses it.
    const lane = () => {
      const created = new Lane(pool)
      releasers.push(async () => created.close())
      return created
    }
    const inserts = lane()
    const migrate = options.migrate ?? resolved.source === 'embedded'
    if (migrate) await migrateUp(pool, {prefix: config.prefix})
    // Tables we created ourselves are Oban's; a server's may have come from another installer.
    if (!migrate || resolved.source !== 'embedded') await verifyMigrated(pool, config.prefix)

    // Pauses of the whole process (SIGSTOP, a suspended VM): see PauseWatch.
    const pauses = new PauseWatch()
    pauses.start()
    releasers.push(async () => pauses.stop())

    const ident = identOf(config.name, config.node)
    const notifierOptions = {prefix: config.prefix, ident, logger, instance: config.name}
    // Sessions of their own (LISTEN, the lease) go to the direct URL when the pool is pooled.
    const direct = resolved.directUrl === resolved.url ? undefined : resolved.directUrl
    const notifier: Notifier =
      config.notifier === 'isolated'
        ? new IsolatedNotifier(notifierOptions)
        : config.notifier === 'none'
          ? new OutboundNotifier({pool, prefix: config.prefix, instance: config.name})
          : new PostgresNotifier({...notifierOptions, url: resolved.directUrl, pool})
    await notifier.start()
    releasers.push(() => notifier.stop())

    const sonar = new Sonar({notifier, node: config.node, instance: config.name, logger})
    // Who else is alive, for `oban status` and `oban nodes` (an isolated notifier hears only itself).
    // Listening before the first ping records this node's own name as oban-ts at once, before the
    // other nodes could take it for an Elixir node.
    if (config.notifier !== 'isolated') {
      const recorder = new SonarRecorder({
        db: pool,
        prefix: config.prefix,
        node: config.node,
        sonar,
        logger,
        interval: options.sonarRecordInterval,
      })
      recorder.start()
      releasers.push(() => recorder.stop())
    }
    await sonar.start()
    releasers.push(() => sonar.stop())

    // Through a transaction pooler without a direct URL, a session-level lock would stay behind
    // on a server connection: leadership then relies on lease expiry alone, as Oban's does.
    const leaseLock = config.prepare === 'named' || direct !== undefined
    const peer = new Peer({
      pool,
      notifier,
      config,
      logger,
      interval: options.peerInterval,
      pauses,
      leaseUrl: direct,
      leaseLock,
    })
    await peer.start()
    releasers.push(() => peer.stop())

    // A viewer never leads or runs leader-only work: a second leader is not its business.
    if (!config.viewer) {
      const watch = new LeaderConflictWatch({
        db: pool,
        prefix: config.prefix,
        logger,
        interval: options.leaderCheckInterval,
      })
      watch.start()
      releasers.push(() => watch.stop())
    }

    const acker = new Acker({
      pool,
      db: lane(),
      prefix: config.prefix,
      instance: config.name,
      node: config.node,
      logger,
    })
    releasers.push(async () => {
      await acker.drain(config.shutdownGracePeriod + 5_000).catch((error: unknown) => {
        logger.error(`${coerceError(error).message}; their jobs stay executing until rescued`)
      })
      acker.stop()
    })
    const executor = {instance: config.name, prefix: config.prefix, workers, logger}
    const queues = new Queues({
      config,
      pool,
      fetchDb: lane(),
      notifier,
      acker,
      logger,
      pollInterval: options.pollInterval,
      execute: (job, done) => startExecution(job, executor, done),
    })
    let orphaned: JobId[] = []
    releasers.push(async () => {
      orphaned = await queues.stop()
    })
    // A viewer (config.viewer) never starts Queues: no producer, and no subscription to insert
    // notifications or queue signals, so `oban queue start` and friends never reach it.
    if (!config.viewer) await queues.start()
    // Past Oban: a node back from a pause long enough for its presence row to lapse stops
    // running the jobs that were rescued meanwhile (their acks would be ignored anyway).
    const unpause = pauses.onPause((gap) => {
      if (gap >= LAPSE_AFTER_MS) void queues.abandonLost(gap)
    })
    releasers.push(async () => unpause())
    const unreconnect = notifier.onReconnect?.(() => queues.wakeAll())
    if (unreconnect) releasers.push(async () => unreconnect())

    const stager = new Stager({
      pool,
      notifier,
      config,
      logger,
      isLeader: () => peer.isLeader,
      sonarStatus: () => sonar.status,
      wakeLocal: (names) => {
        if (names === 'all') queues.wakeAll()
        else for (const name of names) queues.get(name)?.wake()
      },
    })
    stager.start()
    releasers.push(() => stager.stop())

    // Plugins start last and stop first (Oban's Harbor), so they never outlive the queues.
    const host = new PluginHost({
      config,
      plugins,
      repo: createRepo(pool, config.prefix),
      notifier,
      logger,
      workers,
      isLeader: () => peer.isLeader,
      onEscalate: (error) => hooks.onEscalate?.(error),
    })
    releasers.push(() => host.stop())

    // Presence row and plugin calls from other processes. Started before the plugins: its database
    // round trips must not come between the plugins' start and start() resolving (a plugin that
    // escalates in between makes start() fail). The row lists the plugins as `starting` and is
    // rewritten as each one starts. Stopped before the plugins (the second releaser; the first
    // only covers a failed start) and before the notifier.
    const control = await startNodeControl({
      config,
      pool,
      notifier,
      logger,
      plugins: host,
      queues,
      isLeader: () => peer.isLeader,
      leaseLock,
      connections: () => ({
        pool: pool.totalCount,
        poolSize: config.poolSize,
        notifier: notifier instanceof PostgresNotifier && notifier.backendPid !== undefined ? 1 : 0,
        lease: peer.sessions,
      }),
    })
    releasers.push(() => control.stop())
    await host.start()
    releasers.push(() => control.stop())

    return {
      pool,
      inserts,
      notifier,
      sonar,
      peer,
      queues,
      workers,
      plugins: host,
      database,
      release: async () => {
        await release()
        return {orphaned}
      },
    }
  } catch (error) {
    await release()
    throw error
  }
}
