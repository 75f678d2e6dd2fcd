import {afterEach, describe, expect, it} from 'vitest'
import {validatePluginOptions} from '../../src/plugin/options.js'
import {attach, detach} from '../../src/telemetry/telemetry.js'
import {Reindexer, ReindexerService, type ReindexerOptions} from '../../plugins/index.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'
import {testClock, testPluginContext} from '../helpers/plugin-context.js'

const {pool} = await migratedDatabase('plugin_reindexer')
const services: ReindexerService[] = []

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()))
})

function reindexer(options: Record<string, unknown> = {}, setup: {leader?: boolean; clock?: () => Date} = {}) {
  const test = testPluginContext(pool, {leader: setup.leader})
  const parsed = validatePluginOptions(Reindexer, options, 'plugins[0] (Reindexer)') as ReindexerOptions
  const service = new ReindexerService(test.context, parsed, {now: setup.clock})
  services.push(service)
  return {service, ...test}
}

/** The file node of an index changes when it is rebuilt. */
async function fileNode(index: string): Promise<number> {
  const {rows} = await pool.query<{relfilenode: number}>('SELECT relfilenode FROM pg_class WHERE relname = $1', [index])
  return rows[0]!.relfilenode
}

async function invalidIndexNames(): Promise<string[]> {
  const {rows} = await pool.query<{relname: string}>(
    `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE NOT i.indisvalid ORDER BY c.relname`,
  )
  return rows.map((row) => row.relname)
}

/** A concurrent index build that fails leaves an invalid index behind, as a failed reindex does. */
async function leaveInvalidIndex(name: string, table = 'oban_jobs'): Promise<void> {
  await pool.query(`INSERT INTO ${table} (worker, queue, args) VALUES ('W', 'dup', '{}'), ('W', 'dup', '{}')`)
  await expect(pool.query(`CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (queue)`)).rejects.toThrow(
    /could not create unique index/,
  )
}

describe('Reindexer', () => {
  it("rebuilds Oban's indexes concurrently after dropping invalid oban_jobs leftovers", async () => {
    await pool.query('CREATE TABLE others (worker text, queue text, args jsonb)')
    await leaveInvalidIndex('oban_jobs_leftover_ccnew')
    await leaveInvalidIndex('others_broken', 'others')
    const before = [await fileNode('oban_jobs_args_index'), await fileNode('oban_jobs_meta_index')]
    const {service} = reindexer()
    expect(await service.reindex()).toEqual({
      leader: true,
      dropped: ['public.oban_jobs_leftover_ccnew'],
      reindexed: ['oban_jobs_args_index', 'oban_jobs_meta_index'],
      errors: [],
    })
    expect(await fileNode('oban_jobs_args_index')).not.toBe(before[0])
    expect(await fileNode('oban_jobs_meta_index')).not.toBe(before[1])
    // Only invalid indexes of Oban's table are dropped.
    expect(await invalidIndexNames()).toEqual(['others_broken'])
  })

  it('collects the failure of one statement and goes on with the others', async () => {
    const {service, logs} = reindexer({indexes: ['oban_jobs_missing_index', 'oban_jobs_args_index']})
    expect(await service.reindex()).toEqual({
      leader: true,
      dropped: [],
      reindexed: ['oban_jobs_args_index'],
      errors: [
        {
          query: 'REINDEX INDEX CONCURRENTLY "public"."oban_jobs_missing_index"',
          error: 'relation "public.oban_jobs_missing_index" does not exist',
        },
      ],
    })
    expect(logs.some((line) => line.startsWith('warn: reindexing failed'))).toBe(true)
  })

  it('cancels a statement that outlasts the timeout', async () => {
    // A transaction holding SHARE UPDATE EXCLUSIVE makes REINDEX CONCURRENTLY wait for it.
    const blocker = await pool.connect()
    try {
      await blocker.query('BEGIN')
      await blocker.query('LOCK TABLE oban_jobs IN SHARE UPDATE EXCLUSIVE MODE')
      const {service} = reindexer({indexes: ['oban_jobs_meta_index'], timeout: '300ms'})
      const started = Date.now()
      expect(await service.reindex()).toMatchObject({
        reindexed: [],
        errors: [
          {
            query: 'REINDEX INDEX CONCURRENTLY "public"."oban_jobs_meta_index"',
            error: 'timed out after 300ms and was cancelled',
          },
        ],
      })
      expect(Date.now() - started).toBeLessThan(5000)
      // The cancel request travels on a connection of its own: the server ends the statement soon
      // after, not necessarily before reindex() returns. Other files' databases (an e2e node's
      // Reindexer) are not this test's business.
      const reindexing = async () =>
        (
          await pool.query<{n: number}>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND query LIKE '%REINDEX INDEX CONCURRENTLY%' AND pid <> pg_backend_pid()`,
          )
        ).rows[0]!.n
      await eventually(async () => (await reindexing()) === 0, 10_000, 'the cancelled REINDEX to end')
      expect(await reindexing()).toBe(0)
    } finally {
      await blocker.query('ROLLBACK')
      blocker.release()
    }
  })

  it('runs when the schedule matches, on the leader only', async () => {
    const stops: Record<string, unknown>[] = []
    attach('reindexer-test', ['plugin:stop'], (_event, _m, meta) => {
      if (meta.plugin === 'Reindexer') stops.push(meta)
    })
    try {
      const {service, setLeader} = reindexer({schedule: '0 3 * * SUN', timezone: 'Europe/Paris'}, {leader: false})
      // Sunday 2024-06-02 03:00 in Paris is 01:00 UTC.
      await service.evaluate(new Date('2024-06-02T01:00:00Z'))
      expect(stops).toEqual([])
      setLeader(true)
      await service.evaluate(new Date('2024-06-02T03:00:00Z'))
      await service.evaluate(new Date('2024-06-03T01:00:00Z'))
      expect(stops).toEqual([])
      await service.evaluate(new Date('2024-06-02T01:00:00Z'))
      expect(stops).toEqual([{instance: 'Oban', plugin: 'Reindexer', leader: true}])
    } finally {
      detach('reindexer-test')
    }
  })

  it('tells when it runs next, and refuses a follower unless forced', async () => {
    const clock = testClock('2024-06-01T12:00:00Z')
    const {service} = reindexer({}, {leader: false, clock: clock.now})
    expect(service.nextAt()).toBe('2024-06-02T00:00:00.000Z')
    expect(await service.reindex()).toMatchObject({leader: false, skipped: expect.any(String) as string})
    expect(await service.reindex({force: true})).toMatchObject({leader: false, errors: []})
  })

  it("validates its options with Oban's defaults", () => {
    expect(validatePluginOptions(Reindexer, {}, 'p')).toEqual({
      schedule: '@midnight',
      timezone: 'Etc/UTC',
      indexes: ['oban_jobs_args_index', 'oban_jobs_meta_index'],
      timeout: 15_000,
    })
    const fail = (options: unknown) => () => validatePluginOptions(Reindexer, options, 'plugins[0] (Reindexer)')
    expect(fail({schedule: '0 25 * * *'})).toThrow(
      'plugins[0] (Reindexer): schedule: invalid cron expression "0 25 * * *": hour field "25" is out of range 0-23',
    )
    expect(fail({schedule: '@reboot'})).toThrow(/schedule: @reboot is not a schedule/)
    expect(fail({indexes: ['oban_jobs_args_index; DROP TABLE oban_jobs']})).toThrow(
      /indexes\.0: expected an index name/,
    )
    expect(fail({timezone: 'Nowhere/Land'})).toThrow(/timezone: unknown timezone "Nowhere\/Land"/)
    expect(fail({timeout: 'forever'})).toThrow(/timeout: expected a duration/)
  })
})
