import {afterAll, describe, expect, it} from 'vitest'
import {SchemaNotMigratedError} from '../../../../src/errors.js'
import {createPool, type Pool} from '../../../../src/db/pool.js'
import {migrateUp, migrationStatus, verifyMigrated} from '../../../../src/db/migrations/index.js'
import {createTestDatabase} from '../../../helpers/db.js'

const pool: Pool = createPool(await createTestDatabase('mig_status'), {max: 2})
afterAll(() => pool.end())

describe('migrationStatus and verifyMigrated', () => {
  it('reports public at version 0 when no schema has Oban tables', async () => {
    expect(await migrationStatus(pool)).toEqual([{prefix: 'public', version: 0, latest: 14, upToDate: false}])
    const error = await verifyMigrated(pool, 'public').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SchemaNotMigratedError)
    expect(error).toMatchObject({current: 0, required: 14})
    // The library's fix for library users; the command line prints its own (test/commands/).
    expect((error as SchemaNotMigratedError).message).toBe(
      'the Oban tables are not installed in schema "public": start with `Oban.start(options, {migrate: true})` (or `oban.start({migrate: true})`), or run `npx oban migrate`',
    )
    expect((error as SchemaNotMigratedError).commandLineMessage).toBe(
      'the Oban tables are not installed in schema "public": run `oban migrate` (or start with --migrate)',
    )
  })

  it('lists every schema that holds oban_jobs, by name, with its version', async () => {
    await migrateUp(pool, {prefix: 'queue_b', version: 11})
    await migrateUp(pool, {prefix: 'queue_a'})
    await pool.query('CREATE SCHEMA unrelated')
    expect(await migrationStatus(pool)).toEqual([
      {prefix: 'queue_a', version: 14, latest: 14, upToDate: true},
      {prefix: 'queue_b', version: 11, latest: 14, upToDate: false},
    ])
    expect(await migrationStatus(pool, {prefix: 'public'})).toEqual([
      {prefix: 'public', version: 0, latest: 14, upToDate: false},
    ])
  })

  it('accepts version 14 and an externally managed schema, rejects an outdated one', async () => {
    await expect(verifyMigrated(pool, 'queue_a')).resolves.toBeUndefined()
    await expect(verifyMigrated(pool, 'queue_b')).rejects.toMatchObject({
      current: 11,
      required: 14,
      message:
        'the Oban tables in schema "queue_b" are at version 11, but version 14 is required: start with `Oban.start(options, {migrate: true})` (or `oban.start({migrate: true})`), or run `npx oban migrate --prefix queue_b`',
    })
    await pool.query(`COMMENT ON TABLE queue_b.oban_jobs IS '∞'`)
    await expect(verifyMigrated(pool, 'queue_b')).resolves.toBeUndefined()
    expect(await migrationStatus(pool, {prefix: 'queue_b'})).toEqual([
      {prefix: 'queue_b', version: Infinity, latest: 14, upToDate: true},
    ])
  })
})
