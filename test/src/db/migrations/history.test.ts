import {afterAll, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../../src/db/pool.js'
import {migrateDown, migratedVersion, migrateUp} from '../../../../src/db/migrations/index.js'
import {createTestDatabase} from '../../../helpers/db.js'
import {DOWN, UP} from './expected-history.js'
import {EXPECTED_V14} from './expected-schema.js'
import {snapshotSchema, summarize} from './schema-snapshot.js'

// An Elixir node may have left the schema at any version, so every intermediate state must be
// Oban's, on the way up and on the way down.

const pool: Pool = createPool(await createTestDatabase('mig_history'), {max: 4})
afterAll(() => pool.end())

describe('one version at a time', () => {
  it('goes up through every state Oban goes through', async () => {
    for (let version = 1; version <= 14; version++) {
      const result = await migrateUp(pool, {prefix: 'stepping', version})
      expect(result).toEqual({prefix: 'stepping', from: version - 1, to: version, applied: [version]})
      expect(await migratedVersion(pool, 'stepping')).toBe(version)
      expect(summarize(await snapshotSchema(pool, 'stepping')), `after up to ${version}`).toEqual(UP[version])
    }
    expect(await snapshotSchema(pool, 'stepping')).toEqual(EXPECTED_V14)
  })

  it("comes down through Oban's down states, recording each version", async () => {
    await migrateUp(pool, {prefix: 'descending'})
    for (let version = 13; version >= 0; version--) {
      const result = await migrateDown(pool, {prefix: 'descending', to: version})
      expect(result).toEqual({prefix: 'descending', from: version + 1, to: version, applied: [version + 1]})
      expect(await migratedVersion(pool, 'descending')).toBe(version)
      expect(summarize(await snapshotSchema(pool, 'descending')), `after down to ${version}`).toEqual(DOWN[version])
    }
    const enumLeft = await pool.query(
      `SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'descending' AND t.typname = 'oban_job_state'`,
    )
    expect(enumLeft.rowCount).toBe(0)
  })
})

describe('in one call', () => {
  it.each([1, 5, 8, 10, 11, 12, 13])('up to %i reaches the same state as stepping there', async (version) => {
    const prefix = `direct_${version}`
    expect(await migrateUp(pool, {prefix, version})).toMatchObject({from: 0, to: version})
    expect(summarize(await snapshotSchema(pool, prefix))).toEqual(UP[version])
  })

  it.each([0, 1, 4, 7, 9, 11, 13])(
    'down to %i (to: N, or version: N + 1 as Oban) then up again ends exactly at version 14',
    async (version) => {
      const prefix = `round_${version}`
      await migrateUp(pool, {prefix})
      // Half of them in Oban's form: down(version: N + 1) leaves N.
      const down = await migrateDown(pool, version % 2 === 0 ? {prefix, to: version} : {prefix, version: version + 1})
      expect(down.applied).toEqual(Array.from({length: 14 - version}, (_, i) => 14 - i))
      expect(summarize(await snapshotSchema(pool, prefix))).toEqual(DOWN[version])
      await migrateUp(pool, {prefix})
      expect(await snapshotSchema(pool, prefix)).toEqual(EXPECTED_V14)
    },
  )
})
