import {describe, expect, it} from 'vitest'
import {describeStatus, migrateUp, migrationStatus, verifyMigrated} from '../../../../src/db/migrations/index.js'
import {SchemaIncompatibleError} from '../../../../src/errors.js'
import {Oban} from '../../../../src/instance/oban.js'
import {createLogger} from '../../../../src/telemetry/logger.js'
import {migratedDatabase} from '../../../helpers/oban-db.js'

// A schema at "version 14" whose tables did not come from Oban's migrations, as Python Oban's
// installer leaves them (errors jsonb, attempt smallint, no oban_peers): oban-ts must refuse it
// rather than start and fail every failure ack.

const {url, pool} = await migratedDatabase('schema_check', 'py')
await migrateUp(pool, {prefix: 'fine'})
await pool.query(`
  ALTER TABLE py.oban_jobs ALTER COLUMN errors DROP DEFAULT;
  ALTER TABLE py.oban_jobs ALTER COLUMN errors TYPE jsonb USING to_jsonb(errors);
  ALTER TABLE py.oban_jobs ALTER COLUMN errors SET DEFAULT '[]'::jsonb;
  ALTER TABLE py.oban_jobs ALTER COLUMN attempt TYPE smallint;
  DROP TABLE py.oban_peers;
`)

const PROBLEMS = [
  'oban_jobs.errors is jsonb, expected jsonb[]',
  'oban_jobs.attempt is smallint, expected integer',
  'table oban_peers is missing',
]

describe('a schema oban-ts cannot write to', () => {
  it('is refused by verifyMigrated with every difference named', async () => {
    const error = await verifyMigrated(pool, 'py').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SchemaIncompatibleError)
    expect((error as SchemaIncompatibleError).problems).toEqual(PROBLEMS)
    expect((error as Error).message).toContain(`oban migrate --prefix NAME`)
    await expect(verifyMigrated(pool, 'fine')).resolves.toBeUndefined()
  })

  it('is not reported as up to date', async () => {
    const [status] = await migrationStatus(pool, {prefix: 'py'})
    expect(status).toEqual({prefix: 'py', version: 14, latest: 14, upToDate: false, problems: PROBLEMS})
    expect(describeStatus(status!)).toBe(
      `py: version 14, but not the tables Oban's migrations create, so oban-ts cannot write to them: ${PROBLEMS.join('; ')}`,
    )
    expect(await migrationStatus(pool, {prefix: 'fine'})).toEqual([
      {prefix: 'fine', version: 14, latest: 14, upToDate: true},
    ])
  })

  it('is refused when an instance starts, with or without --migrate, and nothing keeps running', async () => {
    for (const migrate of [false, true]) {
      const oban = new Oban(
        {databaseUrl: url, prefix: 'py', name: `Py${migrate}`, queues: {default: 1}},
        createLogger({level: 'silent'}),
      )
      await expect(oban.start({migrate})).rejects.toBeInstanceOf(SchemaIncompatibleError)
      expect(oban.running).toBe(false)
    }
  })
})
