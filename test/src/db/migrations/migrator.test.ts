import pg from 'pg'
import {afterAll, describe, expect, it} from 'vitest'
import {InvalidPrefixError, MigrationError, MigrationVersionError} from '../../../../src/errors.js'
import {createPool, type Pool} from '../../../../src/db/pool.js'
import {
  CURRENT_VERSION,
  migrateDown,
  migratedVersion,
  migrateUp,
  migrationStatus,
} from '../../../../src/db/migrations/index.js'
import {createTestDatabase} from '../../../helpers/db.js'
import {ENUM_LABELS, EXPECTED_V14} from './expected-schema.js'
import {snapshotSchema} from './schema-snapshot.js'

const url = await createTestDatabase('mig_migrator')
const pool: Pool = createPool(url, {max: 6})
afterAll(() => pool.end())

/** The query Oban.Migrations.Postgres.migrated_version/1 runs, verbatim in shape. */
async function obanReadsComment(prefix: string): Promise<string | null | undefined> {
  const {rows} = await pool.query<{v: string | null}>(
    `SELECT pg_catalog.obj_description(pg_class.oid, 'pg_class') AS v
       FROM pg_class LEFT JOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace
      WHERE pg_class.relname = 'oban_jobs' AND pg_namespace.nspname = $1`,
    [prefix],
  )
  return rows[0]?.v
}

describe('migrateUp', () => {
  it('takes a fresh database from 0 to exactly the schema Oban 14 leaves', async () => {
    expect(await migratedVersion(pool, 'public')).toBe(0)
    const result = await migrateUp(pool)
    expect(result).toEqual({
      prefix: 'public',
      from: 0,
      to: 14,
      applied: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    })
    expect(await snapshotSchema(pool, 'public')).toEqual(EXPECTED_V14)
    // The version as an Elixir node reads it.
    expect(await obanReadsComment('public')).toBe(String(CURRENT_VERSION))
  })

  it('does nothing the second time', async () => {
    expect(await migrateUp(pool)).toEqual({prefix: 'public', from: 14, to: 14, applied: []})
    expect(await migrateUp(pool, {version: 10})).toEqual({prefix: 'public', from: 14, to: 14, applied: []})
    expect(await snapshotSchema(pool, 'public')).toEqual(EXPECTED_V14)
  })

  it('continues from version 11, as an Elixir node at 11 leaves it', async () => {
    await migrateUp(pool, {prefix: 'at_eleven', version: 11})
    expect(await obanReadsComment('at_eleven')).toBe('11')
    expect(await migratedVersion(pool, 'at_eleven')).toBe(11)
    expect(await migrateUp(pool, {prefix: 'at_eleven'})).toEqual({
      prefix: 'at_eleven',
      from: 11,
      to: 14,
      applied: [12, 13, 14],
    })
    expect(await snapshotSchema(pool, 'at_eleven')).toEqual(EXPECTED_V14)
  })

  it('re-runs every step when the version comment is gone (a dump restored without comments)', async () => {
    await migrateUp(pool, {prefix: 'uncommented'})
    await pool.query(`COMMENT ON TABLE uncommented.oban_jobs IS NULL`)
    expect(await migratedVersion(pool, 'uncommented')).toBe(0)
    expect((await migrateUp(pool, {prefix: 'uncommented'})).applied).toHaveLength(14)
    expect(await snapshotSchema(pool, 'uncommented')).toEqual(EXPECTED_V14)
  })

  it('upgrades an enum from before `cancelled` and `suspended` to Oban’s order in one transaction', async () => {
    await pool.query('CREATE SCHEMA legacy_enum')
    await pool.query(
      `CREATE TYPE legacy_enum.oban_job_state AS ENUM ('available', 'scheduled', 'executing', 'retryable', 'completed', 'discarded')`,
    )
    await migrateUp(pool, {prefix: 'legacy_enum'})
    expect(await snapshotSchema(pool, 'legacy_enum')).toEqual(EXPECTED_V14)
    expect((await snapshotSchema(pool, 'legacy_enum')).enumLabels).toEqual(ENUM_LABELS)
  })

  it('creates a missing schema for a custom prefix, and keeps prefixes independent', async () => {
    await migrateUp(pool, {prefix: 'side_a'})
    await migrateUp(pool, {prefix: 'side_b', version: 9})
    expect(await migratedVersion(pool, 'side_a')).toBe(14)
    expect(await migratedVersion(pool, 'side_b')).toBe(9)
    await migrateDown(pool, {prefix: 'side_a', to: 0})
    expect(await migratedVersion(pool, 'side_a')).toBe(0)
    expect(await migratedVersion(pool, 'side_b')).toBe(9)
    const schemas = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname IN ('side_a', 'side_b')`)
    expect(schemas.rowCount).toBe(2) // down never drops the schema
    expect(await migrationStatus(pool, {prefix: 'side_b'})).toEqual([
      {prefix: 'side_b', version: 9, latest: 14, upToDate: false},
    ])
  })

  it('refuses a missing schema when schema creation is off, leaving nothing behind', async () => {
    await expect(migrateUp(pool, {prefix: 'not_there', createSchema: false})).rejects.toThrow(MigrationError)
    const schema = await pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'not_there'`)
    expect(schema.rowCount).toBe(0)
  })

  it('uses an existing schema when schema creation is off', async () => {
    await pool.query('CREATE SCHEMA premade')
    expect((await migrateUp(pool, {prefix: 'premade', createSchema: false})).to).toBe(14)
  })

  it('makes oban_peers a logged table with unlogged: false', async () => {
    await migrateUp(pool, {prefix: 'logged_peers', unlogged: false})
    const snapshot = await snapshotSchema(pool, 'logged_peers')
    expect(snapshot.tables.oban_peers?.persistence).toBe('p')
    expect({
      ...snapshot,
      tables: {...snapshot.tables, oban_peers: {...snapshot.tables.oban_peers!, persistence: 'u'}},
    }).toEqual(EXPECTED_V14)
  })

  it('lets two processes migrate at once: both succeed, the steps run once', async () => {
    const other = createPool(url, {max: 2})
    try {
      const results = await Promise.all([
        migrateUp(pool, {prefix: 'racing'}),
        migrateUp(other, {prefix: 'racing'}),
        migrateUp(other, {prefix: 'racing'}),
      ])
      const applied = results.map((r) => r.applied.length).sort((a, b) => a - b)
      expect(applied).toEqual([0, 0, 14])
      expect(await snapshotSchema(pool, 'racing')).toEqual(EXPECTED_V14)
    } finally {
      await other.end()
    }
  })

  it('keeps the historic insert trigger working at version 11, for Elixir nodes that still rely on it', async () => {
    await migrateUp(pool, {prefix: 'trig', version: 11})
    const listener = new pg.Client({connectionString: url})
    await listener.connect()
    try {
      const payloads: string[] = []
      let onSentinel: (() => void) | undefined
      listener.on('notification', (message) => {
        if (message.payload === 'sentinel') onSentinel?.()
        else payloads.push(`${message.channel} ${message.payload}`)
      })
      // Notifications arrive in commit order: once a NOTIFY sent after the inserts is here, every
      // notification of the inserts is too.
      const flush = async () => {
        const arrived = new Promise<void>((resolve) => (onSentinel = resolve))
        await pool.query(`SELECT pg_notify('trig.oban_insert', 'sentinel')`)
        await arrived
      }
      await listener.query('LISTEN "trig.oban_insert"')
      await pool.query(
        `INSERT INTO trig.oban_jobs (worker, args, queue, state) VALUES ('W', '{}', 'mailers', 'available'), ('W', '{}', 'later', 'scheduled')`,
      )
      await flush()
      expect(payloads).toEqual(['trig.oban_insert {"queue" : "mailers"}'])
      await migrateUp(pool, {prefix: 'trig'})
      await pool.query(`INSERT INTO trig.oban_jobs (worker, args) VALUES ('W', '{}')`)
      await flush()
      expect(payloads).toHaveLength(1) // V12 removed it
    } finally {
      await listener.end()
    }
  })

  it('rolls a failing run back completely', async () => {
    await migrateUp(pool, {prefix: 'failing', version: 9})
    // Rows from before V08 keep a NULL priority, so V10's SET NOT NULL fails, as it does for Oban.
    await pool.query(`INSERT INTO failing.oban_jobs (worker, args, priority) VALUES ('W', '{}', NULL)`)
    await expect(migrateUp(pool, {prefix: 'failing'})).rejects.toThrow(pg.DatabaseError)
    expect(await migratedVersion(pool, 'failing')).toBe(9)
    expect((await snapshotSchema(pool, 'failing')).tables.oban_peers).toBeUndefined()
  })
})

describe('migrateDown', () => {
  it('rewrites jobs in states that the older version lacks', async () => {
    await migrateUp(pool, {prefix: 'states'})
    await pool.query(
      `INSERT INTO states.oban_jobs (worker, args, state) VALUES ('W', '{}', 'suspended'), ('W', '{}', 'cancelled')`,
    )
    await migrateDown(pool, {prefix: 'states', to: 8})
    const {rows} = await pool.query<{state: string}>('SELECT state::text FROM states.oban_jobs ORDER BY id')
    expect(rows.map((r) => r.state)).toEqual(['scheduled', 'discarded'])
  })

  it('to: N leaves the schema at N, below the current one only', async () => {
    await migrateUp(pool, {prefix: 'downward', version: 12})
    await expect(migrateDown(pool, {prefix: 'downward', to: 12})).rejects.toThrow(/at version 12/)
    await expect(migrateDown(pool, {prefix: 'downward', to: 13})).rejects.toThrow(MigrationVersionError)
    expect(await migrateDown(pool, {prefix: 'downward', to: 10})).toEqual({
      prefix: 'downward',
      from: 12,
      to: 10,
      applied: [12, 11],
    })
    expect(await obanReadsComment('downward')).toBe('10')
    await expect(migrateDown(pool, {prefix: 'never_migrated', to: 0})).rejects.toThrow(/nothing to roll back/)
  })

  it("version: N is Oban's down(version: N): undoes N and above, leaving N - 1", async () => {
    await migrateUp(pool, {prefix: 'oban_down', version: 12})
    await expect(migrateDown(pool, {prefix: 'oban_down', version: 13})).rejects.toThrow(
      'schema "oban_down" is at version 12: version 13 undoes nothing; choose a version from 1 to 12 (the schema is left at one below it)',
    )
    expect(await migrateDown(pool, {prefix: 'oban_down', version: 11})).toEqual({
      prefix: 'oban_down',
      from: 12,
      to: 10,
      applied: [12, 11],
    })
    expect(await obanReadsComment('oban_down')).toBe('10')
    // version: 1, as Oban's down(version: 1) (its default), removes the tables.
    expect(await migrateDown(pool, {prefix: 'oban_down', version: 1})).toMatchObject({from: 10, to: 0})
    expect(await migratedVersion(pool, 'oban_down')).toBe(0)
  })
})

describe('version comments Oban 2.23 tolerates or rejects', () => {
  it("treats '∞' as managed externally: up to date, never migrated or rolled back", async () => {
    await migrateUp(pool, {prefix: 'external'})
    await pool.query(`COMMENT ON TABLE external.oban_jobs IS '∞'`)
    expect(await migratedVersion(pool, 'external')).toBe(Infinity)
    expect(await migrateUp(pool, {prefix: 'external'})).toEqual({
      prefix: 'external',
      from: Infinity,
      to: Infinity,
      applied: [],
    })
    await expect(migrateDown(pool, {prefix: 'external', to: 3})).rejects.toThrow(MigrationError)
  })

  it('rejects any other non-numeric comment, naming it', async () => {
    await migrateUp(pool, {prefix: 'odd_comment', version: 1})
    await pool.query(`COMMENT ON TABLE odd_comment.oban_jobs IS 'jobs live here'`)
    await expect(migratedVersion(pool, 'odd_comment')).rejects.toThrow(/"jobs live here"/)
    await expect(migrateUp(pool, {prefix: 'odd_comment'})).rejects.toThrow(MigrationError)
  })

  it('leaves a version newer than ours alone going up and refuses to go down from it', async () => {
    await migrateUp(pool, {prefix: 'future'})
    await pool.query(`COMMENT ON TABLE future.oban_jobs IS '15'`)
    expect((await migrateUp(pool, {prefix: 'future'})).applied).toEqual([])
    await expect(migrateDown(pool, {prefix: 'future', version: 14})).rejects.toThrow(/newer than this oban-ts/)
  })
})

describe('arguments are checked before anything touches the database', () => {
  // Nothing listens on port 1: reaching the server would fail with a connection error instead.
  const unreachable = createPool('postgres://postgres@127.0.0.1:1/none', {max: 1})
  afterAll(() => unreachable.end())

  it.each(['bad-prefix', 'Robert"); DROP TABLE x;--', '', '1starts_with_digit', 'x'.repeat(64)])(
    'rejects the prefix %j',
    async (prefix) => {
      await expect(migrateUp(unreachable, {prefix})).rejects.toThrow(InvalidPrefixError)
      await expect(migrateDown(unreachable, {prefix, to: 0})).rejects.toThrow(InvalidPrefixError)
      await expect(migrationStatus(unreachable, {prefix})).rejects.toThrow(InvalidPrefixError)
    },
  )

  it.each([0, 15, -1, 1.5, Number.NaN])('rejects up to version %s', async (version) => {
    await expect(migrateUp(unreachable, {version})).rejects.toThrow(MigrationVersionError)
  })

  it.each([14, 15, -1, 2.5])('rejects down to version %s', async (to) => {
    await expect(migrateDown(unreachable, {to})).rejects.toThrow(MigrationVersionError)
  })

  it.each([0, 15, -1, 2.5])("rejects Oban's down(version: %s)", async (version) => {
    await expect(migrateDown(unreachable, {version})).rejects.toThrow(MigrationVersionError)
  })

  it('needs exactly one of version and to', async () => {
    await expect(migrateDown(unreachable, {})).rejects.toThrow(/say how far to roll back/)
    await expect(migrateDown(unreachable, {version: 3, to: 2})).rejects.toThrow(/not both/)
  })
})
