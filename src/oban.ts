import {EventEmitter} from 'node:events'
import type {Config, ObanOptions} from './config.js'
import {createConfig} from './config.js'
import {describeDatabase} from './db/connection-url.js'
import type {Pool} from './db/pool.js'
import {checkConnection, createPool} from './db/pool.js'
import {resolveDatabase, type DatabaseSource} from './db/resolve-database.js'
import {stopEmbedded} from './db/embedded/index.js'
import {migrateUp, verifyMigrated} from './db/migrations/index.js'
import {ObanError, coerceError} from './errors.js'
import {createLogger, type Logger} from './logger.js'
import {registerInstance, unregisterInstance} from './registry.js'

export interface StartOptions {
  /**
   * Migrate the schema to the current version before starting. Default: true for the embedded
   * database (it is ours), false for an external one, where an unmigrated or outdated schema is
   * refused with the command that fixes it.
   */
  migrate?: boolean
  /** Where the embedded server is looked for (default: the project of process.cwd()). */
  cwd?: string
  /** Data directory of the embedded server (default: `<project>/.oban` or OBAN_DATA_DIR). */
  dataDir?: string
}

/** Where a started instance's database is, for status lines. Never contains a password. */
export interface DatabaseInfo {
  source: DatabaseSource
  /** `host:port/database` */
  location: string
  /** The embedded data directory, when the source is `embedded`. */
  dataDir?: string
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped'

/**
 * An Oban instance: a named set of queues and plugins working on one database and schema. Create
 * it with options (validated at once: a bad option throws ConfigError before anything starts),
 * `start()` it, and `stop()` it; `stop()` is idempotent and releases every pool, connection, timer
 * and child process the instance owns, including the embedded server if this instance started it.
 */
export class Oban extends EventEmitter {
  readonly config: Config
  readonly logger: Logger
  private state: State = 'new'
  private pool?: Pool
  private database?: DatabaseInfo
  private ownsEmbedded?: {dataDir: string}
  private stopping?: Promise<void>
  private registered = false

  constructor(options: ObanOptions | Config = {}, logger?: Logger) {
    super()
    this.config = isConfig(options) ? options : createConfig(options)
    this.logger = logger ?? createLogger({level: this.config.logLevel, scope: this.config.name})
  }

  /** Validates options, starts an instance and resolves once it is running. */
  static async start(options: ObanOptions = {}, startOptions: StartOptions = {}): Promise<Oban> {
    const oban = new Oban(options)
    await oban.start(startOptions)
    return oban
  }

  get name(): string {
    return this.config.name
  }

  get running(): boolean {
    return this.state === 'running'
  }

  /** The database of a started instance. */
  get databaseInfo(): DatabaseInfo | undefined {
    return this.database
  }

  /**
   * Connects, checks (or applies) migrations and starts the instance's services. On failure
   * everything acquired so far is released before the error is rethrown.
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.state !== 'new')
      throw new ObanError(
        'already_started',
        `instance "${this.name}" was already started; create a new Oban to start again`,
      )
    this.state = 'starting'
    try {
      registerInstance(this.name)
      this.registered = true
      const resolved = await resolveDatabase({
        databaseUrl: this.config.databaseUrl,
        cwd: options.cwd,
        dataDir: options.dataDir,
      })
      if (resolved.startedEmbedded && resolved.dataDir) this.ownsEmbedded = {dataDir: resolved.dataDir}
      this.database = {source: resolved.source, location: describeDatabase(resolved.url), dataDir: resolved.dataDir}
      const pool = createPool(resolved.url, {
        max: this.config.poolSize,
        applicationName: `oban-ts ${this.name} ${this.config.node}`,
        onError: (error) => this.background('pool', error),
      })
      this.pool = pool
      await checkConnection(pool, resolved.url)
      const migrate = options.migrate ?? resolved.source === 'embedded'
      if (migrate) await migrateUp(pool, {prefix: this.config.prefix})
      else await verifyMigrated(pool, this.config.prefix)
      this.state = 'running'
      this.emit('started')
    } catch (error) {
      await this.release()
      this.state = 'stopped'
      throw error
    }
  }

  /** Stops the instance; safe to call more than once, before start, or while starting. */
  async stop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped'
      return
    }
    this.stopping ??= (async () => {
      this.state = 'stopping'
      await this.release()
      this.state = 'stopped'
      this.emit('stopped')
    })()
    return this.stopping
  }

  /** Registered services are released in reverse order of acquisition. */
  private async release(): Promise<void> {
    if (this.registered) unregisterInstance(this.name)
    this.registered = false
    const pool = this.pool
    this.pool = undefined
    if (pool) await pool.end().catch((error: unknown) => this.background('pool', error))
    const owned = this.ownsEmbedded
    this.ownsEmbedded = undefined
    if (owned)
      await stopEmbedded({dataDir: owned.dataDir}).catch((error: unknown) => this.background('embedded', error))
  }

  /** Background failures are reported as events and log lines, never thrown into the process. */
  private background(source: string, error: unknown): void {
    const err = coerceError(error)
    this.logger.warn(`${source}: ${err.message}`)
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }
}

function isConfig(value: ObanOptions | Config): value is Config {
  return (
    Object.isFrozen(value) &&
    typeof (value as Config).node === 'string' &&
    typeof (value as Config).dispatchCooldown === 'number'
  )
}
