import {describe, expect, it} from 'vitest'
import {createFixture} from '../helpers/e2e.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('e2e_leadership')
const fixture = createFixture(url)

const leader = async () =>
  (
    await pool.query<{node: string}>(
      `SELECT node FROM oban_peers WHERE name = 'Oban' AND expires_at > timezone('UTC', now())`,
    )
  ).rows[0]?.node

describe('leadership across oban start processes', {timeout: 120_000}, () => {
  it('moves to the other node at once when the leader stops (its down notice), not after the 30 s lease', async () => {
    const first = await fixture.start('lead-1')
    const second = await fixture.start('lead-2')
    // The first node took the lease; the second one waits (it would retry only after 30 s).
    expect(await leader()).toBe('lead-1')
    const {rows} = await pool.query<{lease: number}>(
      `SELECT extract(epoch FROM expires_at - started_at)::int AS lease FROM oban_peers WHERE name = 'Oban'`,
    )
    expect(rows[0]!.lease).toBe(30)

    const stoppedAt = Date.now()
    first.signal('SIGTERM')
    expect(await first.exited).toEqual({code: 0, signal: null})
    await eventually(async () => (await leader()) === 'lead-2', 15_000, 'lead-2 leading')
    // Well inside the lease the old row would still have had: only the notice explains it.
    expect(Date.now() - stoppedAt).toBeLessThan(20_000)
    expect(second.running).toBe(true)

    const {rows: peers} = await pool.query<{node: string}>('SELECT node FROM oban_peers')
    expect(peers).toEqual([{node: 'lead-2'}])
  })
})
