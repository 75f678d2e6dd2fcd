import type {ChalkInstance} from 'chalk'
import {Oban} from '../../instance/oban.js'
import {createLogger} from '../../telemetry/logger.js'
import type {CommandDatabase} from '../database-command.js'
import {DashLoader} from './loader.js'
import {parseDashInterval} from './options.js'
import {untilInterrupted} from '../until-interrupted.js'

export interface DashRunOptions {
  db: CommandDatabase
  prefix: string
  instance: string
  interval?: string
  readonly: boolean
  colors: ChalkInstance
  dataDir?: string
  /** Ends the dash like `q` (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal
}

/**
 * `oban dash`: joins the instance as a viewer node (no queue, no signal obeyed, never leads, no
 * plugin; `oban status` lists it as a viewer) and shows the dash until `q`, Ctrl-C, SIGTERM or
 * `signal`. Its reads go through the command's pool; the viewer node and the screen are gone,
 * and the terminal restored, before it resolves.
 */
export async function runDash(options: DashRunOptions): Promise<void> {
  const intervalMs = parseDashInterval(options.interval)
  const oban = new Oban(
    {
      name: options.instance,
      prefix: options.prefix,
      databaseUrl: options.db.url,
      viewer: true,
      poolSize: 1,
      plugins: [],
    },
    createLogger({level: 'error', scope: options.instance}),
  )
  await oban.start({dataDir: options.dataDir})
  try {
    const loader = new DashLoader(options.db.pool, {
      url: options.db.url,
      prefix: options.prefix,
      instance: options.instance,
      location: options.db.location,
    })
    const {renderDash} = await import('./render-dash.js')
    const live = renderDash({
      loader,
      instance: options.instance,
      intervalMs,
      readonly: options.readonly,
      colors: options.colors,
    })
    await untilInterrupted({signal: options.signal, also: live.exited, hangup: true})
    await live.stop()
  } finally {
    await oban.stop()
  }
}
