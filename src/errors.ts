/**
 * Domain errors. Library code throws these; only the command edge (src/cli/base-command.ts) turns
 * them into messages and exit codes. Each carries a stable `code` for `--json` output and tests,
 * and a message written for the person who has to fix the problem: what was wrong, then how to
 * fix it.
 */
export class ObanError extends Error {
  /** Stable machine-readable code, e.g. `config_invalid`. */
  readonly code: string
  /** Exit code the CLI uses: 1 for errors, 2 for usage errors. */
  readonly exitCode: number

  constructor(code: string, message: string, options: {cause?: unknown; exitCode?: number} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.exitCode = options.exitCode ?? 1
  }
}

/** A configuration value (file, flag or option object) is invalid. A usage error: exit code 2. */
export class ConfigError extends ObanError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super('config_invalid', message, {...options, exitCode: 2})
  }
}

/** A database URL could not be parsed. */
export class DatabaseUrlError extends ObanError {
  constructor(message: string) {
    super('database_url_invalid', message, {exitCode: 2})
  }
}

/** The database server could not be reached or refused the connection. */
export class DatabaseUnreachableError extends ObanError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super('database_unreachable', message, options)
  }
}

/** The embedded PostgreSQL server could not be set up, started, found or stopped. */
export class EmbeddedPostgresError extends ObanError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super('embedded_postgres', message, options)
  }
}

/** A schema prefix is not a valid SQL identifier. */
export class InvalidPrefixError extends ObanError {
  constructor(prefix: string) {
    super(
      'prefix_invalid',
      `invalid prefix ${JSON.stringify(prefix)}: use a schema name of letters, digits and underscores that starts with a letter or underscore (at most 63 characters)`,
      {exitCode: 2},
    )
  }
}

/** The Oban tables are missing or older than this version needs. */
export class SchemaNotMigratedError extends ObanError {
  readonly current: number
  readonly required: number

  constructor(prefix: string, current: number, required: number) {
    super(
      'schema_not_migrated',
      current === 0
        ? `the Oban tables are not installed in schema "${prefix}": run \`oban migrate${prefix === 'public' ? '' : ` --prefix ${prefix}`}\` (or start with --migrate)`
        : `the Oban tables in schema "${prefix}" are at version ${current}, but version ${required} is required: run \`oban migrate${prefix === 'public' ? '' : ` --prefix ${prefix}`}\` (or start with --migrate)`,
    )
    this.current = current
    this.required = required
  }
}

/** A requested migration version is outside the known range. */
export class MigrationVersionError extends ObanError {
  constructor(message: string) {
    super('migration_version_invalid', message, {exitCode: 2})
  }
}

/**
 * A migration cannot run against the schema as it is: the schema is missing and may not be
 * created, the version comment on `oban_jobs` is not a version, or the schema is managed by a
 * newer or an external migrator.
 */
export class MigrationError extends ObanError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super('migration_failed', message, options)
  }
}

/** One problem of a job: the field (`priority`, `unique.period`, `jobs[3].queue`) and the rule it breaks. */
export interface JobIssue {
  field: string
  /** What the field must be, and what it was: `must be an integer from 0 to 9, got 12`. */
  rule: string
}

/**
 * A job to insert is invalid (Oban's invalid changeset). Lists every problem at once, one
 * `field: rule` each, separated by `; ` so that the CLI prints it on one line. A usage error: exit
 * code 2. Nothing was inserted.
 */
export class JobValidationError extends ObanError {
  readonly issues: readonly JobIssue[]

  constructor(issues: readonly JobIssue[]) {
    super('job_invalid', `invalid job: ${issues.map((i) => `${i.field}: ${i.rule}`).join('; ')}`, {exitCode: 2})
    this.issues = issues
  }
}

/** No worker of that name is registered on this node (Oban's `unknown worker: X`). */
export class UnknownWorkerError extends ObanError {
  readonly worker: string

  constructor(worker: string, hint = '') {
    super('unknown_worker', `unknown worker: ${worker}${hint}`)
    this.worker = worker
  }
}

/**
 * A notifier channel name cannot be used: it must be letters, digits and underscores, and the full
 * name `<prefix>.oban_<channel>` must fit PostgreSQL's 63-byte identifier limit (LISTEN would
 * silently truncate a longer name while pg_notify rejects it, so the two would never meet).
 */
export class InvalidChannelError extends ObanError {
  constructor(message: string) {
    super('channel_invalid', message, {exitCode: 2})
  }
}

/** A notification payload is not a JSON object, or cannot be encoded as JSON. */
export class NotificationPayloadError extends ObanError {
  constructor(message: string, options: {cause?: unknown} = {}) {
    super('notification_payload_invalid', message, options)
  }
}

/**
 * An encoded notification payload exceeds PostgreSQL's NOTIFY limit. Oban does not split payloads
 * (compression above 512 bytes is its only mitigation), so neither do we: the sender must send
 * less per message.
 */
export class NotificationTooLargeError extends ObanError {
  readonly channel: string
  readonly bytes: number
  readonly limit: number

  constructor(channel: string, bytes: number, limit: number) {
    super(
      'notification_too_large',
      `a notification on "${channel}" is ${bytes} bytes once encoded (compressed), over PostgreSQL's NOTIFY limit of ${limit} bytes: send smaller payloads, or split them into several messages`,
    )
    this.channel = channel
    this.bytes = bytes
    this.limit = limit
  }
}

/** Wraps anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value
  return new Error(typeof value === 'string' ? value : JSON.stringify(value), {cause: value})
}
