import {didYouMean} from './util/suggest.js'

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
  /**
   * The message for the command line, when its fix there differs from the library's (a flag
   * instead of an option); the command edge prints it instead of `message`.
   */
  readonly commandLineMessage?: string

  constructor(
    code: string,
    message: string,
    options: {cause?: unknown; exitCode?: number; commandLineMessage?: string} = {},
  ) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.exitCode = options.exitCode ?? 1
    if (options.commandLineMessage !== undefined) this.commandLineMessage = options.commandLineMessage
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

/**
 * The schema's version is current but its tables are not the ones Oban's migrations create (a
 * column missing or of another type): oban-ts would fail to acknowledge jobs there.
 */
export class SchemaIncompatibleError extends ObanError {
  readonly problems: readonly string[]

  constructor(prefix: string, problems: readonly string[]) {
    super(
      'schema_incompatible',
      `the Oban tables in schema "${prefix}" are not the ones Oban's migrations create, so oban-ts cannot write to them: ${problems.join('; ')}. Tables installed by another tool (such as Python Oban's installer) cannot be shared with Elixir Oban and oban-ts: create them with \`oban migrate --prefix NAME\` (or Oban's Ecto migrations) in a new schema and point every node at it`,
    )
    this.problems = problems
  }
}

/**
 * The Oban tables are missing or older than this version needs. The message names the library's
 * fixes (`start({migrate: true})`, the migrate command from code); `commandLineMessage`, which
 * the CLI prints, names `oban migrate` and `--migrate`.
 */
export class SchemaNotMigratedError extends ObanError {
  readonly current: number
  readonly required: number

  constructor(prefix: string, current: number, required: number) {
    const state =
      current === 0
        ? `the Oban tables are not installed in schema "${prefix}"`
        : `the Oban tables in schema "${prefix}" are at version ${current}, but version ${required} is required`
    const command = `oban migrate${prefix === 'public' ? '' : ` --prefix ${prefix}`}`
    super(
      'schema_not_migrated',
      `${state}: start with \`Oban.start(options, {migrate: true})\` (or \`oban.start({migrate: true})\`), or run \`npx ${command}\``,
      {commandLineMessage: `${state}: run \`${command}\` (or start with --migrate)`},
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

/**
 * No Oban instance of that name runs here: in this process (the in-process plugin helpers), or
 * on any node reachable through the database (the message then says so).
 */
export class InstanceNotRunningError extends ObanError {
  readonly instance: string

  constructor(instance: string, message = `no Oban instance named "${instance}" is running in this process`) {
    super('instance_not_running', message)
    this.instance = instance
  }
}

/**
 * A plugin is not configured where it was looked for: in a running instance (`instance`), or
 * among the built-in plugins when a config names one. `known` lists what is there, for the
 * suggestion and the list at the end of the message. A usage error: exit code 2.
 */
export class UnknownPluginError extends ObanError {
  readonly plugin: string
  readonly instance: string | undefined

  constructor(plugin: string, options: {instance?: string; known?: readonly string[]; message?: string} = {}) {
    const known = [...(options.known ?? [])].sort()
    const hint = known.length > 0 ? `${didYouMean(plugin, known)}; its plugins: ${known.join(', ')}` : ''
    super(
      'unknown_plugin',
      options.message ??
        (options.instance === undefined
          ? `unknown plugin "${plugin}"${hint}`
          : `instance "${options.instance}" has no plugin "${plugin}"${hint || ' (it runs no plugins)'}`),
      {exitCode: 2},
    )
    this.plugin = plugin
    this.instance = options.instance
  }
}

/** A plugin declares no interface function of that name. A usage error: exit code 2. */
export class UnknownPluginFunctionError extends ObanError {
  readonly plugin: string
  readonly function: string

  constructor(plugin: string, fn: string, known: readonly string[]) {
    const list = [...known].sort()
    super(
      'unknown_plugin_function',
      `plugin ${plugin} has no function "${fn}"${didYouMean(fn, list)}; ${list.length > 0 ? `its functions: ${list.join(', ')}` : 'it declares no functions'}`,
      {exitCode: 2},
    )
    this.plugin = plugin
    this.function = fn
  }
}

/**
 * Arguments of a plugin function call do not match its declaration: every problem at once
 * (`interval: expected a duration ...; unknown argument "x"`). A usage error: exit code 2.
 */
export class PluginArgumentError extends ObanError {
  readonly plugin: string
  readonly function: string
  readonly problems: readonly string[]

  constructor(plugin: string, fn: string, problems: readonly string[]) {
    super('plugin_argument_invalid', `${plugin}.${fn}: ${problems.join('; ')}`, {exitCode: 2})
    this.plugin = plugin
    this.function = fn
    this.problems = problems
  }
}

/** A plugin is configured but is not running now (restarting, failed, stopped), so it cannot be called. */
export class PluginNotRunningError extends ObanError {
  readonly plugin: string
  readonly instance: string
  readonly status: string

  constructor(plugin: string, instance: string, status: string, lastError?: Error) {
    super(
      'plugin_not_running',
      `plugin ${plugin} of instance "${instance}" is not running (${status}${lastError ? `; last error: ${lastError.message}` : ''})`,
      {cause: lastError},
    )
    this.plugin = plugin
    this.instance = instance
    this.status = status
  }
}

/**
 * A plugin crashed more often than the restart intensity allows while the policy is `escalate`:
 * the instance stops with this error (Oban's behaviour), and `oban start` exits with it. The last
 * crash is the `cause`.
 */
export class PluginFailedError extends ObanError {
  readonly plugin: string
  readonly instance: string

  constructor(plugin: string, instance: string, message: string, cause: Error) {
    super('plugin_failed', message, {cause})
    this.plugin = plugin
    this.instance = instance
  }
}

/** A job filter, order or limit given on the command line is invalid. A usage error: exit code 2. */
export class JobFilterError extends ObanError {
  constructor(message: string) {
    super('job_filter_invalid', message, {exitCode: 2})
  }
}

/**
 * A job id given by a caller is not one: ids are positive integers no larger than a PostgreSQL
 * bigint (9223372036854775807). A usage error: exit code 2.
 */
export class InvalidJobIdError extends ObanError {
  readonly value: unknown

  constructor(value: unknown, reason = '') {
    const shown =
      typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value)
    super(
      'job_id_invalid',
      `invalid job id ${shown}: ${reason || 'ids are positive integers no larger than 9223372036854775807'}`,
      {exitCode: 2},
    )
    this.value = value
  }
}

/**
 * Jobs asked for by id do not exist (in this database and schema). Raised by `show`, and by the
 * bulk actions after they have acted on the ids that do exist; `result` then holds what was done.
 */
export class JobNotFoundError extends ObanError {
  /** The ids as their decimal digits (job ids are bigints: see src/job/job-id.ts). */
  readonly ids: readonly string[]
  readonly result: unknown

  constructor(ids: readonly string[], prefix: string, result?: unknown) {
    const which = ids.length === 1 ? `no job with id ${ids[0]}` : `no jobs with ids ${ids.join(', ')}`
    super('job_not_found', `${which}${prefix === 'public' ? '' : ` in schema "${prefix}"`}`)
    this.ids = ids
    this.result = result
  }
}

/**
 * A bulk action over a filter needs confirmation, but nobody can be asked (stdin is not a terminal)
 * and `--yes` was not given. A usage error: exit code 2, nothing changed.
 */
export class ConfirmationRequiredError extends ObanError {
  constructor(message: string) {
    super('confirmation_required', message, {exitCode: 2})
  }
}

/**
 * A confirmation was asked on a terminal and the answer was no (or none: Enter, Ctrl-D, Ctrl-C).
 * Nothing changed; exit code 1, so that a script or a `&&` chain does not carry on as if it had.
 */
export class ConfirmationDeclinedError extends ObanError {
  constructor(message: string) {
    super('confirmation_declined', message)
  }
}

/**
 * The command line itself is wrong: an unknown command or flag, a flag value of the wrong type, a
 * missing argument. One line saying what and how to fix it. A usage error: exit code 2.
 */
export class UsageError extends ObanError {
  constructor(message: string) {
    super('usage', message, {exitCode: 2})
  }
}

/** `oban init` would overwrite files that exist. Nothing was written. */
export class ScaffoldConflictError extends ObanError {
  readonly files: readonly string[]

  constructor(files: readonly string[]) {
    super(
      'scaffold_conflict',
      `${files.join(', ')} already ${files.length === 1 ? 'exists' : 'exist'}: nothing was written; pass --force to overwrite`,
    )
    this.files = files
  }
}

/** Wraps anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value
  return new Error(typeof value === 'string' ? value : JSON.stringify(value), {cause: value})
}

/**
 * A full-screen command (`oban dash`) was run without a terminal on stdin and stdout, or under
 * CI: it cannot read keys or draw. A usage error: exit code 2; the message names the commands
 * that print the same facts as text.
 */
export class NotATerminalError extends ObanError {
  constructor(message: string) {
    super('not_a_terminal', message, {exitCode: 2})
  }
}
