import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {createPool} from '../../../src/db/pool.js'
import {DatabaseUnreachableError, InvalidChannelError, NotificationTooLargeError} from '../../../src/errors.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import type {NotifierStatus, Payload} from '../../../src/notifier/notifier.js'
import {PostgresNotifier, type PostgresNotifierOptions} from '../../../src/notifier/postgres-notifier.js'
import {attach, detach, type Metadata} from '../../../src/telemetry/telemetry.js'
import {cliEnv} from '../../helpers/cli.js'
import {createTestDatabase} from '../../helpers/db.js'
import {eventually} from '../../helpers/oban-db.js'
import {refusingPort} from '../../helpers/ports.js'
import {TcpProxy} from '../../helpers/tcp-proxy.js'

const url = await createTestDatabase('notifier_pg')
const pool = createPool(url, {max: 4})
afterAll(() => pool.end())

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

let counter = 0

/** A notifier on the test database whose log lines are kept; stopped after the test. */
function notifier(options: Partial<PostgresNotifierOptions> = {}): {n: PostgresNotifier; logs: string[]; app: string} {
  const logs: string[] = []
  const app = `oban_notifier_test_${++counter}`
  const n = new PostgresNotifier({
    url,
    pool,
    prefix: 'public',
    ident: 'Oban.ts-1',
    logger: createLogger({level: 'debug', write: (line) => logs.push(line)}),
    instance: 'Oban',
    applicationName: app,
    ...options,
  })
  cleanup.push(() => n.stop())
  return {n, logs, app}
}

/** Subscribes and waits until the LISTEN is effective; returns what arrives. */
async function collect(n: PostgresNotifier, channel: string): Promise<Payload[]> {
  const received: Payload[] = []
  const unlisten = n.listen(channel, (payload, ch) => {
    expect(ch).toBe(channel)
    received.push(payload)
  })
  await unlisten.ready
  return received
}

async function rawNotify(channel: string, payload: string): Promise<void> {
  await pool.query('SELECT pg_notify($1, $2)', [channel, payload])
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('PostgresNotifier', () => {
  it('delivers between two notifiers on one database, in both directions', async () => {
    const {n: a} = notifier({ident: 'Oban.node-a'})
    const {n: b} = notifier({ident: 'Oban.node-b'})
    await Promise.all([a.start(), b.start()])
    expect(a.status).toBe('listening')
    const atA = await collect(a, 'insert')
    const atB = await collect(b, 'insert')
    await a.notify('insert', [{queue: 'alpha'}, {queue: 'beta'}])
    await b.notify('insert', {queue: 'gamma'})
    await eventually(() => atA.length === 3 && atB.length === 3)
    expect(atB).toEqual([{queue: 'alpha'}, {queue: 'beta'}, {queue: 'gamma'}])
    expect(atA).toEqual(atB)
  })

  it('uses the prefix: private.oban_insert is heard, public.oban_insert is not', async () => {
    const {n} = notifier({prefix: 'private'})
    await n.start()
    const received = await collect(n, 'insert')
    await rawNotify('public.oban_insert', '{"queue":"public-one"}')
    await rawNotify('private.oban_insert', '{"queue":"alpha"}')
    // Notifications arrive in commit order: had public-one been heard, it would be here first.
    await eventually(() => received.length === 1)
    expect(received).toEqual([{queue: 'alpha'}])
  })

  it('hears a raw pg_notify from a plain client, as an Elixir node sends it', async () => {
    const {n} = notifier()
    await n.start()
    const received = await collect(n, 'signal')
    await rawNotify('public.oban_signal', '{"action":"pause","ident":"any","queue":"default"}')
    await eventually(() => received.length === 1)
    expect(received[0]).toEqual({action: 'pause', ident: 'any', queue: 'default'})
  })

  it('drops payloads addressed to another ident, keeps ours, "any" and those without ident', async () => {
    const {n} = notifier({ident: 'Oban.ts-1'})
    await n.start()
    const received = await collect(n, 'signal')
    for (const payload of [
      {action: 'pause', ident: 'any', queue: 'a'},
      {action: 'pause', ident: 'Oban.ts-1', queue: 'b'},
      {action: 'pause', ident: 'Oban.some-other-node', queue: 'c'},
      {action: 'pause', ident: 'MyApp.Oban.ts-1', queue: 'd'},
      {action: 'pause', ident: null, queue: 'e'},
      {action: 'pkill', job_id: 109},
      {action: 'resume', ident: 'any', queue: 'last'},
    ]) {
      await rawNotify('public.oban_signal', JSON.stringify(payload))
    }
    await eventually(() => received.some((p) => p.queue === 'last'))
    expect(received).toEqual([
      {action: 'pause', ident: 'any', queue: 'a'},
      {action: 'pause', ident: 'Oban.ts-1', queue: 'b'},
      {action: 'pkill', job_id: 109},
      {action: 'resume', ident: 'any', queue: 'last'},
    ])
  })

  it('logs and skips a malformed payload, and a failing handler, then keeps delivering', async () => {
    const {n, logs} = notifier()
    await n.start()
    const received = await collect(n, 'signal')
    n.listen('signal', () => {
      throw new Error('handler boom')
    })
    // An async handler is what the notifier must survive here: its rejection is logged, not unhandled.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    n.listen('signal', async () => {
      await Promise.resolve()
      throw new Error('async handler boom')
    })
    await rawNotify('public.oban_signal', 'this is not json')
    await rawNotify('public.oban_signal', 'Z:bm90IGd6aXA=')
    await rawNotify('public.oban_signal', '[1,2,3]')
    await rawNotify('public.oban_signal', '{"action":"resume","ident":"any","queue":"default"}')
    await eventually(() => received.length === 1 && logs.some((l) => l.includes('async handler boom')))
    expect(received).toEqual([{action: 'resume', ident: 'any', queue: 'default'}])
    expect(logs.filter((l) => l.includes('malformed notification on "public.oban_signal"'))).toHaveLength(3)
    expect(logs.some((l) => l.includes('"this is not json"'))).toBe(true)
    expect(logs.some((l) => l.includes('handler boom'))).toBe(true)
  })

  it('logs at most 10 malformed payloads per channel a minute, and keeps delivering good ones', async () => {
    const {n, logs} = notifier()
    await n.start()
    const received = await collect(n, 'signal')
    for (let i = 0; i < 25; i++) await rawNotify('public.oban_signal', `garbage ${i}`)
    await rawNotify('public.oban_signal', '{"action":"resume","ident":"any","queue":"after"}')
    await eventually(() => received.length === 1)
    const warned = logs.filter((l) => l.includes('malformed notification on "public.oban_signal"'))
    expect(warned).toHaveLength(10)
    expect(warned[9]).toContain('more are counted, not logged')
    expect(received).toEqual([{action: 'resume', ident: 'any', queue: 'after'}])
  })

  it('delivers compressed payloads and refuses too-large ones before sending', async () => {
    const {n} = notifier()
    await n.start()
    const received = await collect(n, 'gossip')
    const big = {checks: Array.from({length: 200}, (_, i) => ({queue: `q${i}`, limit: i}))}
    await n.notify('gossip', big)
    await expect(n.notify('gossip', {blob: 'x'.repeat(100) + Math.random().toString(36).repeat(3000)})).resolves.toBe(
      undefined,
    )
    const random = Array.from({length: 12_000}, () => Math.floor(Math.random() * 16).toString(16)).join('')
    await expect(n.notify('gossip', {random})).rejects.toBeInstanceOf(NotificationTooLargeError)
    await eventually(() => received.length === 2)
    expect(received[0]).toEqual(big)
  })

  it('emits notifier:notify start/stop (and exception) telemetry with channel, payload and instance', async () => {
    const events: [string, Metadata][] = []
    attach(
      'notifier-test',
      ['notifier:notify:start', 'notifier:notify:stop', 'notifier:notify:exception'],
      (e, _m, meta) => events.push([e, meta]),
    )
    cleanup.push(() => void detach('notifier-test'))
    const {n} = notifier({instance: 'MyApp.Oban'})
    await n.notify('insert', {queue: 'default'})
    expect(() => n.listen('bad channel', () => {})).toThrow(InvalidChannelError)
    await expect(n.notify('bad channel', {})).rejects.toBeInstanceOf(InvalidChannelError)
    const meta = {channel: 'insert', payload: [{queue: 'default'}], instance: 'MyApp.Oban'}
    expect(events[0]).toEqual(['notifier:notify:start', meta])
    expect(events[1]).toEqual(['notifier:notify:stop', meta])
    expect(events[3]![0]).toBe('notifier:notify:exception')
    expect(events[3]![1].channel).toBe('bad channel')
  })

  it('LISTENs channels subscribed before start', async () => {
    const {n} = notifier()
    const received: Payload[] = []
    const unlisten = n.listen('insert', (p) => received.push(p))
    let ready = false
    void unlisten.ready!.then(() => (ready = true))
    await sleep(20)
    expect(ready).toBe(false)
    await n.start()
    await unlisten.ready
    await rawNotify('public.oban_insert', '{"queue":"early"}')
    await eventually(() => received.length === 1)
  })

  it('stops delivering after unsubscribe, and UNLISTENs when the last subscriber leaves', async () => {
    const {n, app} = notifier()
    await n.start()
    const first: Payload[] = []
    const second: Payload[] = []
    const offFirst = n.listen('insert', (p) => first.push(p))
    const offSecond = n.listen('insert', (p) => second.push(p))
    await offSecond.ready
    offFirst()
    offFirst()
    await rawNotify('public.oban_insert', '{"queue":"one"}')
    await eventually(() => second.length === 1)
    offSecond()
    // The listener backend's last statement is visible to other sessions.
    await eventually(async () => {
      const {rows} = await pool.query<{query: string}>(
        'SELECT query FROM pg_stat_activity WHERE application_name = $1',
        [app],
      )
      return rows[0]?.query === 'UNLISTEN "public.oban_insert"'
    })
    // A notification on a channel still listened to, sent after "two", arrives after it would have.
    const barrier = await collect(n, 'signal')
    await rawNotify('public.oban_insert', '{"queue":"two"}')
    await rawNotify('public.oban_signal', '{"action":"pause","ident":"any","queue":"barrier"}')
    await eventually(() => barrier.length === 1)
    expect(first).toEqual([])
    expect(second).toEqual([{queue: 'one'}])
  })

  it('reconnects after pg_terminate_backend, re-LISTENs every channel and emits reconnected', async () => {
    const {n, logs, app} = notifier({reconnectDelay: {initial: 10, max: 100}})
    await n.start()
    const inserts = await collect(n, 'insert')
    const signals = await collect(n, 'signal')
    const statuses: NotifierStatus[] = []
    n.on('status', (s) => statuses.push(s))
    let reconnects = 0
    const offReconnect = n.onReconnect(() => reconnects++)
    n.onReconnect(() => {
      throw new Error('a bad reconnect listener')
    })
    const before = n.backendPid
    const {rows} = await pool.query<{pid: number}>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
      app,
    ])
    expect(rows.map((r) => r.pid)).toEqual([before])

    const reconnected = once(n, 'reconnected')
    await pool.query('SELECT pg_terminate_backend($1)', [before])
    await reconnected
    expect(reconnects).toBe(1)
    expect(statuses).toEqual(['reconnecting', 'listening'])
    expect(n.backendPid).not.toBe(before)
    expect(logs.some((l) => l.includes('lost the listener connection'))).toBe(true)
    expect(logs.some((l) => l.includes('a bad reconnect listener'))).toBe(true)

    await rawNotify('public.oban_insert', '{"queue":"after"}')
    await rawNotify('public.oban_signal', '{"action":"pause","ident":"any","queue":"after"}')
    await eventually(() => inserts.length === 1 && signals.length === 1)

    // A second termination works the same way: the error handling is per connection.
    offReconnect()
    const again = once(n, 'reconnected')
    await pool.query('SELECT pg_terminate_backend($1)', [n.backendPid])
    await again
    expect(reconnects).toBe(1)
    await rawNotify('public.oban_insert', '{"queue":"again"}')
    await eventually(() => inserts.length === 2)
  })

  it('keeps retrying with backoff while the server is unreachable, then recovers', async () => {
    const {proxy, url: proxied} = await TcpProxy.start(url)
    cleanup.push(() => proxy.close())
    const {n, logs} = notifier({url: proxied, reconnectDelay: {initial: 20, max: 80}})
    await n.start()
    const received = await collect(n, 'insert')
    proxy.refuse(true)
    await pool.query('SELECT pg_terminate_backend($1)', [n.backendPid])
    await eventually(() => logs.filter((l) => l.includes('reconnect attempt')).length >= 3)
    expect(n.status).toBe('reconnecting')
    const reconnected = once(n, 'reconnected')
    proxy.refuse(false)
    await reconnected
    await rawNotify('public.oban_insert', '{"queue":"back"}')
    await eventually(() => received.length === 1)
  })

  it('detects a silently dead connection with its health check and reconnects', async () => {
    const {proxy, url: proxied} = await TcpProxy.start(url)
    cleanup.push(() => proxy.close())
    const {n, logs} = notifier({url: proxied, healthCheckInterval: 100, healthCheckTimeout: 200})
    await n.start()
    const received = await collect(n, 'insert')
    const reconnected = once(n, 'reconnected')
    proxy.blackhole()
    await reconnected
    expect(logs.some((l) => l.includes('did not answer within 200ms'))).toBe(true)
    await rawNotify('public.oban_insert', '{"queue":"alive"}')
    await eventually(() => received.length === 1)
  })

  it('rejects start() with DatabaseUnreachableError when the server cannot be reached, and can retry', async () => {
    const {port, release} = await refusingPort()
    cleanup.push(release)
    const {n} = notifier({url: `postgres://postgres@127.0.0.1:${port}/nothing`})
    await expect(n.start()).rejects.toBeInstanceOf(DatabaseUnreachableError)
    expect(n.status).toBe('idle')
    await expect(n.start()).rejects.toThrow(/connection refused/)
  })

  it('stop() is idempotent, safe before start, and final', async () => {
    const {n: never} = notifier()
    await never.stop()
    await never.stop()
    expect(never.status).toBe('stopped')

    const {n} = notifier()
    await n.start()
    const unlisten = n.listen('insert', () => {})
    await Promise.all([n.stop(), n.stop()])
    expect(n.status).toBe('stopped')
    unlisten()
    await expect(n.start()).rejects.toThrow(/stopped/)
  })

  it('stop() during the first connect resolves start() without listening', async () => {
    const {n} = notifier()
    const started = n.start()
    await n.stop()
    await expect(started).resolves.toBeUndefined()
    expect(n.status).toBe('stopped')
  })

  for (const mode of ['used', 'reconnecting', 'never-started']) {
    it(`leaves no handle behind after stop() (${mode}): the process exits by itself`, async () => {
      const fixture = fileURLToPath(new URL('fixtures/stop-and-exit.ts', import.meta.url))
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, url, mode], {
        env: cliEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const [code] = (await once(child, 'exit')) as [number | null]
      clearTimeout(killer)
      expect(stderr).toBe('')
      expect(stdout).toBe('stopped stopped\n')
      expect(code).toBe(0)
    })
  }
})
