import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {afterAll, describe, expect, it} from 'vitest'
import {createPool, type Pool} from '../../../src/db/pool.js'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {createTestDatabase} from '../../helpers/db.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const url = await createTestDatabase('cmd_migrate_status')
const pool: Pool = createPool(url, {max: 2})
afterAll(() => pool.end())

describe('oban migrate status', () => {
  it('reports public as not installed on an empty database', async () => {
    const {stdout} = await runCommand(['migrate', 'status', '--database-url', url], {root})
    expect(stdout).toBe('public: not installed (version 0 of 14); run `oban migrate`\n')
  })

  it('prints one line per schema with Oban tables, and --prefix narrows it', async () => {
    await migrateUp(pool)
    await migrateUp(pool, {prefix: 'old_jobs', version: 11})
    const all = await runCommand(['migrate', 'status', '--database-url', url], {root})
    expect(all.stdout).toBe(
      'old_jobs: version 11 of 14, outdated; run `oban migrate --prefix old_jobs`\npublic: version 14, up to date\n',
    )
    const one = await runCommand(['migrate', 'status', '--prefix', 'public', '--database-url', url], {root})
    expect(one.stdout).toBe('public: version 14, up to date\n')
  })

  it('returns the statuses as JSON, with an externally managed version as ∞', async () => {
    await pool.query(`COMMENT ON TABLE old_jobs.oban_jobs IS '∞'`)
    const {stdout, result} = await runCommand(['migrate', 'status', '--json', '--database-url', url], {root})
    const expected = [
      {prefix: 'old_jobs', version: '∞', latest: 14, upToDate: true},
      {prefix: 'public', version: 14, latest: 14, upToDate: true},
    ]
    expect(result).toEqual(expected)
    expect(JSON.parse(stdout)).toEqual(expected)
  })
})
