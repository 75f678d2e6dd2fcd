import {afterAll, beforeEach, describe, expect, it} from 'vitest'
import {migratedVersion, migrateUp} from '../../../src/db/migrations/index.js'
import {createPool} from '../../../src/db/pool.js'
import {createTestDatabase} from '../../helpers/db.js'
import {hasScript, obanOnTerminal} from '../../helpers/pty.js'

// `oban migrate down` on a terminal asks first, as the bulk job actions do, saying what goes.
const url = await createTestDatabase('cmd_migrate_down_tty')
const pool = createPool(url, {max: 2})
afterAll(() => pool.end())
beforeEach(async () => {
  await migrateUp(pool)
  await pool.query('TRUNCATE oban_jobs')
  await pool.query(`INSERT INTO oban_jobs (worker) SELECT 'W' FROM generate_series(1, 30)`)
})

describe.skipIf(!hasScript)('oban migrate down on a terminal', {timeout: 60_000}, () => {
  it('asks, and a no drops nothing and exits 1', async () => {
    const {code, screen} = await obanOnTerminal(['migrate', 'down', '--to', '0', '--database-url', url], {
      input: 'n\n',
    })
    expect(screen).toContain(
      'Drop Oban\'s tables in schema "public" (oban_jobs with 30 jobs, oban_peers)? This cannot be undone. [y/N] ',
    )
    expect(screen).toContain('Error: not confirmed: schema "public" stays at version 14, nothing was dropped\n')
    expect(code).toBe(1)
    expect(await migratedVersion(pool, 'public')).toBe(14)
  })

  it('asks, and a yes drops the tables', async () => {
    const {code, screen} = await obanOnTerminal(['migrate', 'down', '--version', '1', '--database-url', url], {
      input: 'y\n',
    })
    expect(screen).toContain('Rolled back schema "public" from version 14 to 0 (steps 14–1)')
    expect(code).toBe(0)
    expect(await migratedVersion(pool, 'public')).toBe(0)
  })
})
