import {Flags} from '@oclif/core'
import {builtinPlugins} from '../plugins/index.js'
import {BaseCommand} from '../src/cli/base-command.js'
import {dataDirFlag, nonEmptyFlag} from '../src/cli/flags.js'
import {parsePluginSpecs} from '../src/cli/plugin-spec.js'
import {parseQueueSpec} from '../src/cli/queue-spec.js'
import {
  exitWhenStuck,
  shutdownWaitLine,
  startInstance,
  untilSignal,
  untilSignalOrStopped,
} from '../src/cli/run-instance.js'
import {parseProcessCount, runSupervised} from '../src/cli/run-processes.js'
import {defaultsWithoutConfig, noConfigLine, showStartBreakdown} from '../src/cli/breakdown/start-breakdown.js'

export default class Start extends BaseCommand {
  static override summary = 'Run an Oban instance until Ctrl-C.'
  static override description = `Loads oban.config.{ts,mts,js,mjs,json} (searched from the current directory up to the project root, or --config), validates it, and runs the instance until SIGINT or SIGTERM, then stops it cleanly. A second signal exits at once. With no config file at all it runs queue default (limit 10) with the Breakdown plugin.

When the instance runs Breakdown, a terminal shows its live table under the log lines (q or Ctrl-C stops, p pauses the counting, r counts now); off a terminal each count is printed to stdout as a plain table, log lines staying on stderr.

With --processes N (or auto: one per core) it runs N such processes under one supervisor, named <node>-1 to <node>-N: one Ctrl-C stops them all (each drains), and one that dies is restarted with a growing delay.

Without --database-url or DATABASE_URL the embedded PostgreSQL under .oban/ is started (and migrated) as needed; it is stopped on exit only if this command started it. Against an external database an unmigrated schema is refused unless --migrate is given.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --instance Other --node worker-1',
    '<%= config.bin %> <%= command.id %> --queues default:10,events:5',
    '<%= config.bin %> <%= command.id %> --processes auto',
    '<%= config.bin %> <%= command.id %> --plugin Breakdown:interval=10s --plugin ./plugins/my-plugin.ts',
    '<%= config.bin %> <%= command.id %> --config ./oban.config.json --database-url postgres://postgres@127.0.0.1:5432/app --migrate',
    '<%= config.bin %> <%= command.id %> --database-url postgres://app@pgbouncer:6432/app --prepare unnamed --notifier-url postgres://app@db:5432/app',
  ]

  static override flags = {
    config: Flags.string({
      char: 'c',
      summary: 'Config file to load instead of searching for oban.config.*.',
      helpValue: 'FILE',
    }),
    instance: Flags.string({
      summary: "Name of the instance (default: the config's name, else Oban).",
      helpValue: 'NAME',
    }),
    node: Flags.string({summary: 'Node name of this process (default: <hostname>-<pid>).', helpValue: 'NAME'}),
    queues: Flags.string({
      summary: "Queues this node runs, as QUEUE:LIMIT pairs; replaces the config's queues.",
      helpValue: 'default:10,events:5',
    }),
    plugin: Flags.string({
      summary:
        "A plugin to run, by built-in name or module path, with options; repeatable; replaces the config's plugins.",
      helpValue: 'NAME[:KEY=VALUE,...]',
      multiple: true,
    }),
    'log-level': Flags.option({
      summary:
        "Log level: debug, info (the default: every failed job attempt, plugin events), warn, error (only jobs that gave up, and errors) or silent; replaces the config's logLevel.",
      options: ['debug', 'info', 'warn', 'error', 'silent'] as const,
      helpValue: 'LEVEL',
    })(),
    'notifier-url': Flags.string({
      summary:
        'Direct PostgreSQL URL for the LISTEN and lease connections when --database-url goes through a pooler (also OBAN_NOTIFIER_URL).',
      helpValue: 'postgres://USER@HOST/DB',
    }),
    notifier: Flags.option({
      summary:
        "How this node hears others: postgres (LISTEN/NOTIFY), none (polls every second; hears no signals or plugin calls) or isolated; replaces the config's notifier.",
      options: ['postgres', 'none', 'isolated'] as const,
      helpValue: 'MODE',
    })(),
    prepare: Flags.option({
      summary:
        "named (default) or unnamed statements; unnamed for a --database-url through PgBouncer in transaction mode; replaces the config's prepare.",
      options: ['named', 'unnamed'] as const,
      helpValue: 'MODE',
    })(),
    migrate: Flags.boolean({
      summary: 'Migrate an external database to the current schema version before starting.',
      allowNo: true,
    }),
    'data-dir': dataDirFlag,
    processes: Flags.string({
      summary:
        'Run this many node processes (auto: one per core) under one supervisor, named <node>-1..N; Node runs one core per process.',
      helpValue: 'N|auto',
    }),
  }

  async run(): Promise<void> {
    const {flags, raw} = await this.parse(Start)
    const prefixGiven = raw.some((token) => token.type === 'flag' && token.flag === 'prefix')
    // Checked before anything loads or connects: a typo starts nothing.
    const queues = flags.queues === undefined ? undefined : parseQueueSpec(flags.queues)
    const plugins = flags.plugin === undefined ? undefined : parsePluginSpecs(flags.plugin)
    // No config file at all: queue default and the live Breakdown table (src/cli/breakdown/start-breakdown.ts).
    const defaults = defaultsWithoutConfig(flags.config)
    const overrides = {
      name: nonEmptyFlag('instance', flags.instance, 'Other'),
      node: nonEmptyFlag('node', flags.node, 'worker-1'),
      prefix: prefixGiven ? flags.prefix : undefined,
      queues: queues ?? defaults.queues,
      plugins: plugins ?? defaults.plugins,
      databaseUrl: flags['database-url'],
      notifierUrl: nonEmptyFlag('notifier-url', flags['notifier-url'], 'postgres://postgres@db-host:5432/app'),
      notifier: flags.notifier,
      prepare: flags.prepare,
      logLevel: flags['log-level'],
    }
    if (flags.processes !== undefined) {
      const processes = parseProcessCount(flags.processes)
      const code = await runSupervised({
        processes,
        argv: this.argv,
        configPath: flags.config,
        overrides,
        dataDir: flags['data-dir'],
        builtinPlugins,
        log: (line) => this.log(line),
        logToStderr: (line) => this.logToStderr(line),
      })
      if (code !== 0) this.exit(code)
      return
    }
    // Listening before anything starts: a Ctrl-C while the instance starts (the first embedded
    // start takes seconds) or before the live table shows stops it cleanly once it runs, instead
    // of Node's default exit in the middle of it. A second one exits at once.
    const signalled = untilSignal((second) => {
      this.logToStderr('Second signal: exiting without waiting.')
      process.exit(second === 'SIGTERM' ? 143 : 130)
    })
    const {oban, file} = await startInstance({
      configPath: flags.config,
      overrides,
      announce: (line) => this.logToStderr(line),
      migrate: flags.migrate,
      dataDir: flags['data-dir'],
      builtinPlugins,
    })
    this.defer(() => oban.stop())
    const db = oban.databaseInfo
    const where =
      db?.source === 'embedded' ? `the embedded database at ${db.location} (${db.dataDir})` : `${db?.location}`
    this.log(
      `Oban instance "${oban.name}" (node ${oban.config.node}) is running on ${where}${file ? `, config ${file}` : ''}. Press Ctrl-C to stop.`,
    )
    if (defaults.queues) this.log(noConfigLine(oban.config.queues, oban.config.plugins))
    // The live table in a terminal (plain tables otherwise) when the instance runs Breakdown.
    const hideBreakdown = await showStartBreakdown(oban)
    this.defer(hideBreakdown)
    // Also ends when the instance stops itself (a plugin escalated): the error is the exit's reason.
    const signal = await untilSignalOrStopped(oban, signalled)
    await hideBreakdown()
    if (signal) this.log(`${signal}: stopping...`)
    const waiting = shutdownWaitLine(oban)
    if (waiting) this.log(waiting)
    await oban.stop()
    this.log('Stopped.')
    exitWhenStuck()
  }
}
