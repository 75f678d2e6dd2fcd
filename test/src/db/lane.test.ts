import pg from 'pg'
import {afterEach, describe, expect, it} from 'vitest'
import {Lane} from '../../../src/db/lane.js'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {createTestDatabase} from '../../helpers/db.js'
import {eventually} from '../../helpers/oban-db.js'

const url = await createTestDatabase('lane')
const pools: Pool[] = []
const lanes: Lane[] = []

afterEach(async () => {
  for (const l of lanes.splice(0)) l.close()
  await Promise.all(pools.splice(0).map((pool) => pool.end()))
})

function pool(max = 10): Pool {
  const created = createPool(url, {max})
  pools.push(created)
  return created
}

function lane(of: Pool): Lane {
  const created = new Lane(of)
  lanes.push(created)
  return created
}

/** Connections checked out of the pool: the lane's, when no statement runs. */
const held = (p: Pool) => p.totalCount - p.idleCount

async function holding(p: Pool, l: Lane): Promise<void> {
  // The first statement goes through the pool while the lane takes a connection of its own.
  await pid(l)
  await eventually(() => l.holding, 5_000, 'the lane holds a connection')
  expect(held(p)).toBe(1)
}

async function pid(db: {query: Lane['query']}, sleep = 0): Promise<number> {
  const {rows} = await db.query<{pid: number}>('SELECT pg_backend_pid() AS pid, pg_sleep($1::float8)', [sleep])
  return rows[0]!.pid
}

describe('Lane', () => {
  it('runs statements that come one at a time on one held connection, out of the pool', async () => {
    const p = pool()
    const l = lane(p)
    await holding(p, l)
    const pids = new Set<number>()
    for (let i = 0; i < 20; i++) pids.add(await pid(l))
    expect(pids.size).toBe(1)
    // The held connection is not the pool's to lend: a statement on the pool runs on another.
    expect(await pid(p)).not.toBe([...pids][0])
    l.close()
    expect(held(p)).toBe(0)
  })

  it('sends a statement that arrives while the held connection is busy through the pool', async () => {
    const p = pool()
    const l = lane(p)
    await holding(p, l)
    const [a, b] = await Promise.all([pid(l, 0.2), pid(l, 0.2)])
    expect(a).not.toBe(b)
    l.close()
  })

  it('replaces a held connection whose backend died, without an unhandled error', async () => {
    const p = pool()
    const l = lane(p)
    await holding(p, l)
    const first = await pid(l)
    const admin = new pg.Client({connectionString: url})
    await admin.connect()
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [first])
    } finally {
      await admin.end()
    }
    // The next statements run on another connection once the lane has heard of the loss.
    await eventually(
      async () => {
        try {
          return (await pid(l)) !== first
        } catch {
          return false
        }
      },
      5_000,
      'a statement on a new connection',
    )
    l.close()
  })

  it('hands its connection back on close, after the statement running on it', async () => {
    const p = pool()
    const l = lane(p)
    await holding(p, l)
    const running = pid(l, 0.2)
    l.close()
    expect(held(p)).toBe(1)
    await running
    expect(held(p)).toBe(0)
    // Closed: statements go through the pool, and it lends the lane nothing more.
    await pid(l)
    await pid(l)
    expect(held(p)).toBe(0)
  })

  it('holds no connection of a small pool', async () => {
    const p = pool(4)
    const l = lane(p)
    for (let i = 0; i < 5; i++) {
      await pid(l)
      expect(held(p)).toBe(0)
      expect(l.holding).toBe(false)
    }
    expect(p.totalCount).toBe(1)
    l.close()
  })
})
