import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'

/**
 * Debian's PgBouncer (`apt-get install pgbouncer`) in front of the test PostgreSQL, in
 * transaction mode: a fresh config in a temp directory, a free loopback port, `auth_type = any`
 * (every client logs in as the server's user of the target URL) and a wildcard database, so each
 * test file's own database passes through. PgBouncer refuses to run as root: as root it runs as
 * the `postgres` user. Used by the PgBouncer tests and by bench/fleet.ts.
 */

export const PGBOUNCER_BIN = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path))

/** Why PgBouncer cannot run here, or undefined when it can (for `describe.skipIf`). */
export function pgbouncerMissing(): string | undefined {
  return PGBOUNCER_BIN ? undefined : 'the pgbouncer binary is not installed (apt-get install pgbouncer)'
}

export interface PgBouncerOptions {
  /** Server connections per database/user pair (PgBouncer's default_pool_size; default 20). */
  poolSize?: number
  /** Client connections PgBouncer accepts (default 2000). */
  maxClients?: number
  /** Address to listen on (default 127.0.0.1). */
  listenAddress?: string
}

export interface PgBouncer {
  /** `url` rewritten to go through PgBouncer. */
  readonly url: string
  readonly port: number
  /** PgBouncer's log so far (errors such as "prepared statement does not exist" show there). */
  log(): string
  stop(): Promise<void>
}

async function freePort(host: string): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const {port} = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Starts PgBouncer in front of the server of `url`; resolves once it accepts connections. */
export async function startPgBouncer(url: string, options: PgBouncerOptions = {}): Promise<PgBouncer> {
  if (!PGBOUNCER_BIN) throw new Error(pgbouncerMissing())
  const target = new URL(url)
  const listen = options.listenAddress ?? '127.0.0.1'
  const dir = mkdtempSync(join(tmpdir(), 'oban-pgbouncer-'))
  chmodSync(dir, 0o755)
  const user = decodeURIComponent(target.username || 'postgres')
  const port = await freePort(listen)
  const ini = join(dir, 'pgbouncer.ini')
  writeFileSync(
    ini,
    `[databases]
* = host=${target.hostname} port=${target.port || 5432} user=${user}

[pgbouncer]
listen_addr = ${listen}
listen_port = ${port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = ${options.poolSize ?? 20}
max_client_conn = ${options.maxClients ?? 2000}
max_db_connections = 0
ignore_startup_parameters = extra_float_digits,options
server_check_delay = 30
log_connections = 0
log_disconnections = 0
`,
  )
  chmodSync(ini, 0o644)
  const asRoot = userInfo().uid === 0
  const ids = asRoot ? postgresIds() : undefined
  const child: ChildProcess = spawn(PGBOUNCER_BIN, [ini], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(ids ? {uid: ids.uid, gid: ids.gid} : {}),
  })
  let log = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
  let exited = false
  const gone = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true
      resolve()
    }),
  )
  const proxied = new URL(url)
  proxied.hostname = listen
  proxied.port = String(port)
  const bouncer: PgBouncer = {
    url: proxied.toString(),
    port,
    log: () => log,
    async stop() {
      if (!exited) child.kill('SIGINT')
      await gone
      rmSync(dir, {recursive: true, force: true})
    },
  }
  const deadline = Date.now() + 30_000
  while (!(await accepts(listen, port))) {
    if (exited || Date.now() > deadline) {
      await bouncer.stop()
      throw new Error(`pgbouncer did not start: ${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return bouncer
}

function postgresIds(): {uid: number; gid: number} {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], {encoding: 'utf8'}).stdout.trim())
  const uid = id('-u')
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error('running as root, and there is no postgres user to run pgbouncer as')
  return {uid, gid: id('-g')}
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
