import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {createPool} from '../../../src/db/pool.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {IsolatedNotifier} from '../../../src/notifier/isolated-notifier.js'
import type {Notifier, Payload} from '../../../src/notifier/notifier.js'
import {PostgresNotifier} from '../../../src/notifier/postgres-notifier.js'
import {Sonar, type SonarOptions} from '../../../src/notifier/sonar.js'
import {attach, detach, type Metadata} from '../../../src/telemetry/telemetry.js'
import {createTestDatabase} from '../../helpers/db.js'
import {eventually} from '../../helpers/oban-db.js'

const url = await createTestDatabase('notifier_sonar')
const pool = createPool(url, {max: 4})
afterAll(() => pool.end())

const logger = createLogger({level: 'silent'})
const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function isolated(): IsolatedNotifier {
  const n = new IsolatedNotifier({prefix: 'public', ident: 'Oban.ts-1', logger, instance: 'Oban'})
  cleanup.push(() => n.stop())
  return n
}

async function postgres(node: string): Promise<PostgresNotifier> {
  const n = new PostgresNotifier({url, pool, prefix: 'public', ident: `Oban.${node}`, logger, instance: 'Oban'})
  cleanup.push(() => n.stop())
  await n.start()
  return n
}

function sonar(notifier: Notifier, node: string, options: Partial<SonarOptions> = {}): Sonar {
  const s = new Sonar({notifier, node, instance: 'Oban', logger, ...options})
  cleanup.push(() => s.stop())
  return s
}

/** Records `notifier:switch` events of one instance. */
function switches(instance = 'Oban'): Metadata[] {
  const seen: Metadata[] = []
  const id = `sonar-test-${Math.random()}`
  attach(id, ['notifier:switch'], (_e, _m, meta) => {
    if (meta.instance === instance) seen.push(meta)
  })
  cleanup.push(() => void detach(id))
  return seen
}

describe('Sonar', () => {
  it("tells its hearers every ping it hears, its own and another node's, until they unsubscribe", async () => {
    const notifier = await postgres('ts-1')
    const s = sonar(notifier, 'ts-1')
    const heard: string[] = []
    const unsubscribe = s.onHeard((node) => heard.push(node))
    await s.start()
    await pool.query(`SELECT pg_notify('public.oban_sonar', '{"node":"elixir-1","ping":true}')`)
    await eventually(() => heard.includes('ts-1') && heard.includes('elixir-1'))
    unsubscribe()
    const count = heard.length
    await pool.query(`SELECT pg_notify('public.oban_sonar', '{"node":"elixir-2","ping":true}')`)
    await eventually(() => s.nodes.includes('elixir-2'))
    expect(heard).toHaveLength(count)
  })

  it('is unknown before start, then solitary once it hears its own ping', async () => {
    const events = switches()
    const s = sonar(isolated(), 'ts-1')
    expect(s.status).toBe('unknown')
    await s.start()
    await eventually(() => s.status === 'solitary')
    expect(s.nodes).toEqual(['ts-1'])
    expect(events).toEqual([{instance: 'Oban', status: 'solitary'}])
  })

  it('sends Oban’s ping payload on the sonar channel', async () => {
    const n = isolated()
    const heard: Payload[] = []
    n.listen('sonar', (p) => heard.push(p))
    await sonar(n, 'ts-1').start()
    await eventually(() => heard.length === 1)
    expect(heard[0]).toEqual({node: 'ts-1', ping: true})
  })

  it('becomes clustered when two nodes ping each other through PostgreSQL', async () => {
    const events = switches()
    const a = sonar(await postgres('node-a'), 'node-a', {minInterval: 50, maxInterval: 200})
    const b = sonar(await postgres('node-b'), 'node-b', {minInterval: 50, maxInterval: 200})
    await Promise.all([a.start(), b.start()])
    // As Oban's Sonar, a node is clustered as soon as it hears another, possibly before its own
    // ping has come back through PostgreSQL: wait for both pings at both nodes.
    await eventually(
      () => a.status === 'clustered' && b.status === 'clustered' && a.nodes.length === 2 && b.nodes.length === 2,
    )
    expect(a.nodes).toEqual(['node-a', 'node-b'])
    expect(b.nodes).toEqual(['node-a', 'node-b'])
    expect(events.filter((e) => e.status === 'clustered')).toHaveLength(2)
  })

  it('counts an Elixir node’s ping, sent with a raw pg_notify', async () => {
    const s = sonar(await postgres('ts-1'), 'ts-1')
    await s.start()
    await eventually(() => s.status === 'solitary')
    await pool.query(`SELECT pg_notify('public.oban_sonar', '{"node":"elixir-1","ping":true}')`)
    await eventually(() => s.status === 'clustered')
    expect(s.nodes).toEqual(['elixir-1', 'ts-1'])
  })

  it('prunes nodes not heard for 120 s and becomes isolated when nothing is delivered', async () => {
    const events = switches()
    let now = 1_000_000
    const n = isolated()
    const s = sonar(n, 'ts-1', {now: () => now, minInterval: 60_000})
    await s.start()
    await n.notify('sonar', {node: 'other', ping: true})
    await eventually(() => s.status === 'clustered')
    now += 120_000
    await s.ping()
    expect(s.nodes).toEqual(['other', 'ts-1'])
    // The notifier stops delivering (as behind PgBouncer): nothing is heard any more.
    await n.stop()
    now += 1
    await s.ping()
    expect(s.nodes).toEqual([])
    expect(s.status).toBe('isolated')
    expect(events.map((e) => e.status)).toEqual(['solitary', 'clustered', 'isolated'])
  })

  it('doubles its interval toward the target and resets it when the status or node set changes', async () => {
    const n = isolated()
    const s = sonar(n, 'ts-1', {minInterval: 10_000, maxInterval: 80_000, random: () => 0.5})
    await s.start()
    expect(s.interval).toBe(10_000)
    await eventually(() => s.status === 'solitary')
    const intervals: number[] = []
    for (let i = 0; i < 5; i++) {
      await s.ping()
      intervals.push(s.interval)
    }
    // First tick: changed since start (unknown -> solitary); then doubling up to the solitary target.
    expect(intervals).toEqual([10_000, 20_000, 40_000, 80_000, 80_000])

    await n.notify('sonar', {node: 'elixir-1', ping: true})
    await eventually(() => s.status === 'clustered')
    intervals.length = 0
    for (let i = 0; i < 3; i++) {
      await s.ping()
      intervals.push(s.interval)
    }
    // Reset on change, then toward min(10 s × 2 nodes, 80 s) = 20 s.
    expect(intervals).toEqual([10_000, 20_000, 20_000])
  })

  it('keeps pinging on its own timer with jitter, and stops for good', async () => {
    const n = isolated()
    const pings: number[] = []
    n.listen('sonar', () => pings.push(Date.now()))
    const s = sonar(n, 'ts-1', {minInterval: 20, maxInterval: 40})
    await s.start()
    await eventually(() => pings.length >= 4)
    await s.stop()
    await s.stop()
    const count = pings.length
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(pings.length).toBe(count)
    await s.start()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(pings.length).toBe(count)
  })

  it('survives a notifier that cannot send', async () => {
    const lines: string[] = []
    const n = isolated()
    const broken: Notifier = {
      start: () => n.start(),
      stop: () => n.stop(),
      listen: (channel, handler) => n.listen(channel, handler),
      notify: () => Promise.reject(new Error('database is down')),
      status: 'listening',
    }
    const s = sonar(broken, 'ts-1', {logger: createLogger({level: 'warn', write: (l) => lines.push(l)})})
    await s.start()
    await s.ping()
    await s.ping()
    expect(s.status).toBe('isolated')
    expect(lines.filter((l) => l.includes('database is down'))).toHaveLength(1)
  })
})
