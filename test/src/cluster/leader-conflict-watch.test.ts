import {afterAll, describe, expect, it} from 'vitest'
import {LeaderConflictWatch} from '../../../src/cluster/leader-conflict-watch.js'
import {findLeaderConflicts} from '../../../src/cluster/leader-conflicts.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {
  electElixirLeader,
  electPythonLeader,
  installPythonTables,
  resignPythonLeader,
} from '../../helpers/foreign-nodes.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

// The warning of a running node about two leaders: a Python leader (oban_leaders) beside an
// Elixir one (oban_peers), played by raw SQL, checked by a real watch against PostgreSQL.
const {pool} = await migratedDatabase('leader_conflicts')

const lines: string[] = []
const logger = createLogger({level: 'info', write: (line) => lines.push(line)})
const watch = new LeaderConflictWatch({db: pool, prefix: 'public', logger, interval: 3_600_000})
afterAll(() => watch.stop())

describe('two leaders', () => {
  it('finds none, and logs nothing, while Python Oban never ran here (no oban_leaders table)', async () => {
    await electElixirLeader(pool, 'Oban', 'elixir-1')
    expect(await findLeaderConflicts(pool, 'public')).toEqual([])
    await watch.check()
    expect(lines).toEqual([])
  })

  it('warns once while a Python leader and an oban_peers leader both hold office', async () => {
    await installPythonTables(pool)
    await watch.check()
    expect(lines).toEqual([])
    await electPythonLeader(pool, 'py-1')
    await watch.check()
    await watch.check()
    expect(lines).toEqual([
      'warn: two leaders: Python Oban node py-1 (instance Oban) leads in oban_leaders while elixir-1 (instance Oban) leads in oban_peers; both run Cron, Pruner and Lifeline: every cron job is inserted twice, and each Lifeline rescues executing jobs of the other side that run longer than its rescue_after (Python: 5 min), so they run again while still running. To fix: start Python Oban with leadership disabled (Oban(leadership=False), or leadership = false in oban.toml) and keep cron entries on one side only; or give oban_peers no leader (peer: false on every oban-ts and Elixir node)',
    ])
  })

  it('says when it ends, and warns again when it comes back', async () => {
    lines.length = 0
    await resignPythonLeader(pool, 'py-1')
    await watch.check()
    expect(lines).toEqual(['leader check: only one leader again (no Python Oban leader in oban_leaders)'])
    await watch.check()
    expect(lines).toHaveLength(1)
    await electPythonLeader(pool, 'py-2')
    await watch.check()
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatch(/^warn: two leaders: Python Oban node py-2 \(instance Oban\) leads in oban_leaders/)
  })

  it('ignores an expired Python lease (a leader that died without resigning)', async () => {
    await pool.query(`UPDATE oban_leaders SET expires_at = timezone('UTC', now()) - interval '1 second'`)
    expect(await findLeaderConflicts(pool, 'public')).toEqual([])
  })
})
