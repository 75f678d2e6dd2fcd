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
  it("--version N is Oban's down(version: N): undoes N and above, leaving N - 1", async () => {
    const {stdout, error} = await runCommand(['migrate', 'down', '--version', '13', '--yes', '--database-url', url], {
      root,
    })
    expect(error).toBeUndefined()
    expect(stdout).toBe('Rolled back schema "public" from version 14 to 12 (steps 14–13).\n')
    expect(await migratedVersion(pool, 'public')).toBe(12)
  })

  it('--to N leaves the schema at N', async () => {
    const {stdout, error} = await runCommand(['migrate', 'down', '--to', '11', '--yes', '--database-url', url], {
      root,
    })
    expect(error).toBeUndefined()
    expect(stdout).toBe('Rolled back schema "public" from version 12 to 11 (step 12).\n')
    expect(await migratedVersion(pool, 'public')).toBe(11)
  })

  it('refuses a version that is not below the current one', async () => {
    const {error} = await runCommand(['migrate', 'down', '--to', '11', '--yes', '--database-url', url], {root})
    expect(error?.message).toBe('schema "public" is at version 11: roll back to a version below it (0 to 10)')
    expect(error?.oclif?.exit).toBe(2)
    const oban = await runCommand(['migrate', 'down', '--version', '12', '--yes', '--database-url', url], {root})
    expect(oban.error?.message).toBe(
      'schema "public" is at version 11: version 12 undoes nothing; choose a version from 1 to 11 (the schema is left at one below it)',
    )
    expect(oban.error?.oclif?.exit).toBe(2)
  })

  it('requires exactly one of --to and --version', async () => {
    const forms =
      "--to N leaves the schema at version N (0 removes the Oban tables); --version N is Oban's down(version: N), which undoes N and above and leaves N - 1"
    const none = await runCommand(['migrate', 'down', '--database-url', url], {root})
    expect(none.error?.message).toBe(`give --to N or --version N: ${forms}`)
    expect(none.error?.oclif?.exit).toBe(2)
    const both = await runCommand(['migrate', 'down', '--to', '3', '--version', '4', '--database-url', url], {root})
    expect(both.error?.message).toBe(`give either --to or --version, not both: ${forms}`)
    expect(await migratedVersion(pool, 'public')).toBe(11)
  })

  it('refuses without --yes off a terminal, saying what would be dropped, and changes nothing', async () => {
    await pool.query(`INSERT INTO oban_jobs (worker) SELECT 'W' FROM generate_series(1, 30)`)
    const {error} = await runCommand(['migrate', 'down', '--to', '0', '--database-url', url], {root})
    expect(error?.message).toBe(
      'refusing to drop Oban\'s tables in schema "public" (oban_jobs with 30 jobs, oban_peers) without confirmation: stdin is not a terminal; pass --yes to migrate down',
    )
    expect(error?.oclif?.exit).toBe(2)
    expect(await migratedVersion(pool, 'public')).toBe(11)
    // --json as well: a script must say --yes.
    const partial = await runCommand(['migrate', 'down', '--to', '10', '--json', '--database-url', url], {root})
    expect(JSON.parse(partial.stdout)).toEqual({
      error: {
        code: 'confirmation_required',
        message:
          'refusing to roll schema "public" back from version 11 to 10, dropping oban_peers without confirmation: stdin is not a terminal; pass --yes to migrate down',
      },
    })
    expect(await migratedVersion(pool, 'public')).toBe(11)
  })

  it('returns JSON, and --version 1 (as Oban) removes the tables', async () => {
    const {stdout, result} = await runCommand(
      ['migrate', 'down', '--version', '1', '--yes', '--json', '--database-url', url],
      {root},
    )
    const expected = {prefix: 'public', from: 11, to: 0, applied: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]}
    expect(result).toEqual(expected)
    expect(JSON.parse(stdout)).toEqual(expected)
    const {rows} = await pool.query(`SELECT to_regclass('public.oban_jobs') AS jobs`)
    expect(rows[0]).toEqual({jobs: null})
  })

  it('rejects --to 14 and --version 0 or 15 before connecting', async () => {
    const nowhere = ['--database-url', 'postgres://x@127.0.0.1:1/none']
    const to = await runCommand(['migrate', 'down', '--to', '14', ...nowhere], {root})
    expect(to.error?.message).toBe(
      'cannot migrate down to version 14: choose a version from 0 to 13 to leave the schema at (0 removes the Oban tables)',
    )
    for (const version of ['0', '15']) {
      const oban = await runCommand(['migrate', 'down', '--version', version, ...nowhere], {root})
      expect(oban.error?.message).toBe(
        `cannot undo migrations down to version ${version}: choose a version from 1 to 14 (Oban's down(version: N) undoes N and above, leaving N - 1; 1 removes the Oban tables)`,
      )
      expect(oban.error?.oclif?.exit).toBe(2)
    }
  })
})
