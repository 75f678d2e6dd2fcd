import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'
import {createPool} from '../../../src/db/pool.js'
import {createTestDatabase} from '../../helpers/db.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const url = await createTestDatabase('cmd_migrate')

describe('oban migrate', () => {
  it('reaches the command with --version (oclif only takes --version as the first argument)', async () => {
    const {stdout, error} = await runCommand(['migrate', '--version', '10', '--database-url', url], {root})
    expect(error).toBeUndefined()
    expect(stdout).toBe('Migrated schema "public" from version 0 to 10 (steps 1–10).\n')
  })

  it('migrates to the latest version by default, then has nothing to do', async () => {
    const first = await runCommand(['migrate', '--database-url', url], {root})
    expect(first.stdout).toBe('Migrated schema "public" from version 10 to 14 (steps 11–14).\n')
    const again = await runCommand(['migrate', '--database-url', url], {root})
    expect(again.stdout).toBe('Schema "public" is already at version 14; nothing to do.\n')
    const lower = await runCommand(['migrate', '--version=12', '--database-url', url], {root})
    expect(lower.stdout).toContain('above the requested 12; nothing to do (to roll back: oban migrate down --to 12)')
  })

  it('returns the result as JSON, creating a custom prefix', async () => {
    const {stdout, result} = await runCommand(['migrate', '--prefix', 'cmd_jobs', '--json', '--database-url', url], {
      root,
    })
    const expected = {prefix: 'cmd_jobs', from: 0, to: 14, applied: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]}
    expect(result).toEqual(expected)
    expect(JSON.parse(stdout)).toEqual(expected)
  })

  it('leaves --version as the first argument to oclif: the CLI version', async () => {
    const {stdout} = await runCommand(['--version'], {root})
    expect(stdout).toMatch(/^oban-ts\/\d+\.\d+\.\d+ /)
  })

  it('makes oban_peers a logged table with --no-unlogged', async () => {
    const {result} = await runCommand(
      ['migrate', '--prefix', 'logged', '--no-unlogged', '--json', '--database-url', url],
      {
        root,
      },
    )
    expect(result).toMatchObject({to: 14})
    const pool = createPool(url, {max: 1})
    try {
      const {rows} = await pool.query(`SELECT relpersistence FROM pg_class WHERE oid = 'logged.oban_peers'::regclass`)
      expect(rows).toEqual([{relpersistence: 'p'}])
    } finally {
      await pool.end()
    }
  })

  it('rejects a version out of range before connecting', async () => {
    const {error, stdout} = await runCommand(
      ['migrate', '--version', '15', '--database-url', 'postgres://x@127.0.0.1:1/none'],
      {
        root,
      },
    )
    expect(error?.message).toBe('cannot migrate up to version 15: choose a version from 1 to 14')
    expect(error?.oclif?.exit).toBe(2)
    expect(stdout).toBe('')
  })

  it('rejects a bad prefix before connecting', async () => {
    const {error} = await runCommand(
      ['migrate', '--prefix', 'no-dashes', '--database-url', 'postgres://x@127.0.0.1:1/none'],
      {
        root,
      },
    )
    expect(error?.message).toMatch(/^invalid prefix "no-dashes"/)
    expect(error?.oclif?.exit).toBe(2)
  })

  it('reports errors as JSON with --json', async () => {
    const {stdout} = await runCommand(['migrate', '--version', '0', '--json', '--database-url', url], {root})
    expect(JSON.parse(stdout)).toMatchObject({
      error: {
        code: 'migration_version_invalid',
        message: 'cannot migrate up to version 0: choose a version from 1 to 14',
      },
    })
  })
})
