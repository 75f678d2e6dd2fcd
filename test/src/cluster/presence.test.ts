import {describe, expect, it} from 'vitest'
import {listNodes, requireNodes} from '../../../src/control/nodes.js'
import {migrateDown, migrateUp, migratedVersion} from '../../../src/db/migrations/index.js'
import type {Queryable} from '../../../src/db/pool.js'
import {createPresenceTable} from '../../../src/engine/presence-table.js'
import {InstanceNotRunningError} from '../../../src/errors.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Presence} from '../../../src/cluster/presence.js'
import type {NodeSnapshot} from '../../../src/cluster/presence-record.js'
import {eventually, migratedDatabase} from '../../helpers/oban-db.js'

const {pool} = await migratedDatabase('presence')

const snapshot = (status: 'running' | 'paused' = 'running'): NodeSnapshot => ({
  plugins: [
    {
      name: 'Echo',
      description: 'Echoes',
      status,
      restarts: 0,
      leaderOnly: false,
      functions: [
        {
          name: 'echo',
          description: 'Says it',
          args: [{name: 'text', description: 'what', type: 'string', required: true}],
        },
      ],
    },
  ],
  queues: [{queue: 'default', limit: 5, paused: false, running: 0}],
  meta: {leader: true, notifier: 'postgres'},
})

function presence(options: Partial<ConstructorParameters<typeof Presence>[0]> & {lines?: string[]} = {}) {
  const lines = options.lines ?? []
  return new Presence({
    db: pool,
    prefix: 'public',
    instance: 'Pres',
    node: 'n1',
    logger: createLogger({level: 'debug', write: (line) => lines.push(line)}),
    snapshot: () => snapshot(),
    ...options,
  })
}

describe('Presence', () => {
  it('lists nothing, without error, before any node created the table', async () => {
    await pool.query('CREATE SCHEMA IF NOT EXISTS empty_schema')
    expect(await listNodes(pool, {prefix: 'empty_schema'})).toEqual([])
    await expect(
      requireNodes(pool, {prefix: 'empty_schema', instance: 'Other', location: 'db:5432/x'}),
    ).rejects.toThrow(
      new InstanceNotRunningError(
        'Other',
        'no node of instance Other is running against db:5432/x (schema empty_schema)',
      ),
    )
  })

  it('creates the table once even when many nodes start at the same moment', async () => {
    await pool.query('CREATE SCHEMA race')
    await Promise.all(Array.from({length: 8}, () => createPresenceTable(pool, 'race')))
    const {rows} = await pool.query<{relpersistence: string}>(
      "SELECT relpersistence FROM pg_class WHERE relname = 'oban_ts_nodes' AND relnamespace = 'race'::regnamespace",
    )
    expect(rows).toEqual([{relpersistence: 'u'}])
  })

  it('writes its row at start, rewrites it on touch, and deletes it on stop', async () => {
    let status: 'running' | 'paused' = 'running'
    const p = presence({snapshot: () => snapshot(status), touchDelay: 10})
    await p.start()
    const [node] = await listNodes(pool, {instance: 'Pres'})
    expect(node).toMatchObject({
      instance: 'Pres',
      node: 'n1',
      pid: process.pid,
      leader: true,
      notifier: 'postgres',
      plugins: snapshot().plugins,
      queues: snapshot().queues,
    })
    expect(node!.expiresAt.getTime() - node!.seenAt.getTime()).toBe(30_000)
    status = 'paused'
    p.touch()
    await eventually(async () => (await listNodes(pool, {instance: 'Pres'}))[0]?.plugins[0]?.status === 'paused', 2_000)
    await p.stop()
    expect(await listNodes(pool, {instance: 'Pres'})).toEqual([])
  })

  it('notices a change nobody announced (an in-process call, a queue signal) at its next comparison', async () => {
    let status: 'running' | 'paused' = 'running'
    let running = 0
    const p = presence({
      watchInterval: 20,
      touchDelay: 1,
      snapshot: () => {
        const s = snapshot(status)
        return {...s, queues: s.queues.map((q) => ({...q, running}))}
      },
    })
    await p.start()
    // Jobs starting and finishing are not worth a write.
    running = 3
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await listNodes(pool, {instance: 'Pres'}))[0]?.queues[0]?.running).toBe(0)
    status = 'paused'
    await eventually(async () => (await listNodes(pool, {instance: 'Pres'}))[0]?.plugins[0]?.status === 'paused', 2_000)
    expect((await listNodes(pool, {instance: 'Pres'}))[0]?.queues[0]?.running).toBe(3)
    await p.stop()
  })

  it('coalesces refreshes: concurrent calls share at most one extra write', async () => {
    let writes = 0
    const p = presence({
      snapshot: () => {
        writes++
        return snapshot()
      },
    })
    await p.start()
    writes = 0
    await Promise.all([p.refresh(), p.refresh(), p.refresh(), p.refresh()])
    expect(writes).toBe(2)
    await p.stop()
  })

  it('ignores expired rows and prunes long-expired ones', async () => {
    await createPresenceTable(pool, 'public')
    await pool.query(
      `INSERT INTO oban_ts_nodes (instance, node, pid, hostname, started_at, seen_at, expires_at)
       VALUES ('Pres', 'dead', 1, 'h', now(), now(), timezone('UTC', now()) - interval '1 second'),
              ('Pres', 'long-dead', 1, 'h', now(), now(), timezone('UTC', now()) - interval '2 minutes')`,
    )
    const p = presence()
    await p.start()
    expect((await listNodes(pool, {instance: 'Pres'})).map((n) => n.node)).toEqual(['n1'])
    const {rows} = await pool.query<{node: string}>(
      "SELECT node FROM oban_ts_nodes WHERE instance = 'Pres' ORDER BY node",
    )
    expect(rows.map((r) => r.node)).toEqual(['dead', 'n1'])
    await p.stop()
    await pool.query("DELETE FROM oban_ts_nodes WHERE instance = 'Pres'")
  })

  it('warns when another live process uses the same node name, and leaves its row on stop', async () => {
    const lines: string[] = []
    await createPresenceTable(pool, 'public')
    await pool.query(
      `INSERT INTO oban_ts_nodes (instance, node, pid, hostname, started_at, seen_at, expires_at)
       VALUES ('Pres', 'n1', 4242, 'elsewhere', now(), now(), timezone('UTC', now()) + interval '30 seconds')`,
    )
    const p = presence({lines})
    await p.start()
    expect(lines.join('\n')).toContain(
      'another process (pid 4242 on elsewhere) also runs as node "n1" of instance "Pres"',
    )
    // The other process writes last: our stop must not delete its row.
    await pool.query("UPDATE oban_ts_nodes SET pid = 4242, hostname = 'elsewhere' WHERE instance = 'Pres'")
    await p.stop()
    expect((await listNodes(pool, {instance: 'Pres'})).map((n) => n.pid)).toEqual([4242])
    await pool.query("DELETE FROM oban_ts_nodes WHERE instance = 'Pres'")
  })

  it('logs a failing write once, keeps retrying, and says when it works again', async () => {
    const lines: string[] = []
    let failing = true
    let failures = 0
    const db: Queryable = {
      query: (...args: Parameters<Queryable['query']>) => {
        if (!failing) return pool.query(...args)
        failures++
        return Promise.reject(new Error('connection refused'))
      },
    }
    const p = presence({db, lines, interval: 30})
    await p.start()
    // Several writes have failed: "once" means once for all of them.
    await eventually(() => failures >= 4, 5_000, 'four failed writes')
    expect(lines.filter((l) => l.includes('could not write node n1'))).toHaveLength(1)
    failing = false
    await eventually(() => lines.some((l) => l.includes('is listed again')), 2_000)
    await p.stop()
    expect(await listNodes(pool, {instance: 'Pres'})).toEqual([])
  })

  it("survives Oban's migrations: down to 0 drops only Oban's objects, up again works", async () => {
    await pool.query('CREATE SCHEMA mig')
    await migrateUp(pool, {prefix: 'mig'})
    const p = presence({prefix: 'mig'})
    await p.start()
    await migrateDown(pool, {prefix: 'mig', to: 0})
    expect(await migratedVersion(pool, 'mig')).toBe(0)
    const {rows} = await pool.query<{relname: string}>(
      "SELECT relname FROM pg_class WHERE relnamespace = 'mig'::regnamespace AND relkind = 'r' ORDER BY relname",
    )
    expect(rows.map((r) => r.relname)).toEqual(['oban_ts_nodes'])
    expect(await listNodes(pool, {prefix: 'mig'})).toHaveLength(1)
    await migrateUp(pool, {prefix: 'mig'})
    expect(await migratedVersion(pool, 'mig')).toBe(14)
    await p.stop()
  })
})
