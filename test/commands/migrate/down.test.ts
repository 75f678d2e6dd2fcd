import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {migratedVersion, migrateUp} from '../../../src/db/migrations/index.js'
import {createTestDatabase} from '../../helpers/db.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const url = await createTestDatabase('cmd_migrate_down')
const pool: Pool = createPool(url, {max: 2})
afterAll(() => pool.end())

beforeAll(async () => {
  await migrateUp(pool)
})

describe('oban migrate down', () => {
  it('leaves the schema at the given version', async () => {
    const {stdout, error} = await runCommand(['migrate', 'down', '--version', '11', '--yes', '--database-url', url], {
      root,
    })
    expect(error).toBeUndefined()
    expect(stdout).toBe('Rolled back schema "public" from version 14 to 11 (steps 14–12).\n')
    expect(await migratedVersion(pool, 'public')).toBe(11)
  })

  it('refuses a version that is not below the current one', async () => {
    const {error} = await runCommand(['migrate', 'down', '--version', '11', '--yes', '--database-url', url], {root})
    expect(error?.message).toBe('schema "public" is at version 11: roll back to a version below it (0 to 10)')
    expect(error?.oclif?.exit).toBe(2)
  })

  it('requires --version', async () => {
    const {error} = await runCommand(['migrate', 'down', '--database-url', url], {root})
    expect(error?.message).toMatch(/^missing required flag --version: see `oban migrate down --help`$/)
  })

  it('refuses without --yes off a terminal, saying what would be dropped, and changes nothing', async () => {
    await pool.query(`INSERT INTO oban_jobs (worker) SELECT 'W' FROM generate_series(1, 30)`)
    const {error} = await runCommand(['migrate', 'down', '--version', '0', '--database-url', url], {root})
    expect(error?.message).toBe(
      'refusing to drop Oban\'s tables in schema "public" (oban_jobs with 30 jobs, oban_peers) without confirmation: stdin is not a terminal; pass --yes to migrate down',
    )
    expect(error?.oclif?.exit).toBe(2)
    expect(await migratedVersion(pool, 'public')).toBe(11)
    // --json as well: a script must say --yes.
    const partial = await runCommand(['migrate', 'down', '--version', '10', '--json', '--database-url', url], {root})
    expect(JSON.parse(partial.stdout)).toEqual({
      error: {
        code: 'confirmation_required',
        message:
          'refusing to roll schema "public" back from version 11 to 10, dropping oban_peers without confirmation: stdin is not a terminal; pass --yes to migrate down',
      },
    })
    expect(await migratedVersion(pool, 'public')).toBe(11)
  })

  it('returns JSON, and version 0 removes the tables', async () => {
    const {stdout, result} = await runCommand(
      ['migrate', 'down', '--version', '0', '--yes', '--json', '--database-url', url],
      {root},
    )
    const expected = {prefix: 'public', from: 11, to: 0, applied: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]}
    expect(result).toEqual(expected)
    expect(JSON.parse(stdout)).toEqual(expected)
    const {rows} = await pool.query(`SELECT to_regclass('public.oban_jobs') AS jobs`)
    expect(rows[0]).toEqual({jobs: null})
  })

  it('rejects 14 and above before connecting', async () => {
    const {error} = await runCommand(
      ['migrate', 'down', '--version', '14', '--database-url', 'postgres://x@127.0.0.1:1/none'],
      {root},
    )
    expect(error?.message).toBe(
      'cannot migrate down to version 14: choose a version from 0 to 13 (0 removes the Oban tables)',
    )
  })
})
