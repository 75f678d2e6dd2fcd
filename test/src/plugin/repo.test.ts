import {describe, expect, it} from 'vitest'
import {createPool} from '../../../src/db/pool.js'
import {createRepo, searchPathFor} from '../../../src/plugin/repo.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

const {url, pool: admin} = await migratedDatabase('repo')
await admin.query('CREATE SCHEMA "MixedCase"')
await admin.query('CREATE TABLE "MixedCase".notes (body text NOT NULL)')
await admin.query('CREATE TABLE public.notes (body text NOT NULL)')

describe('Repo', () => {
  it('resolves unqualified names in the prefix (quoted, case kept), public after it', async () => {
    expect(searchPathFor('public')).toBeUndefined()
    const pool = createPool(url, {max: 2, searchPath: searchPathFor('MixedCase')})
    try {
      const repo = createRepo(pool, 'MixedCase')
      expect(await repo.query('SHOW search_path')).toEqual([{search_path: '"MixedCase","public"'}])
      await repo.query('INSERT INTO notes (body) VALUES ($1)', ['in the prefix'])
      expect((await admin.query<{body: string}>('SELECT body FROM "MixedCase".notes')).rows).toEqual([
        {body: 'in the prefix'},
      ])
      // Oban's tables exist only in public here: found after the prefix.
      expect(await repo.query('SELECT count(*)::int AS n FROM oban_jobs')).toEqual([{n: 0}])
    } finally {
      await pool.end()
    }
  })

  it('commits, rolls back on a throw, and nests transactions as savepoints', async () => {
    const repo = createRepo(admin, 'public')
    await repo.transaction(async (tx) => {
      await tx.query('INSERT INTO notes (body) VALUES ($1)', ['kept'])
      await expect(
        tx.transaction(async (inner) => {
          await inner.query('INSERT INTO notes (body) VALUES ($1)', ['inner, rolled back'])
          throw new Error('inner fails')
        }),
      ).rejects.toThrow('inner fails')
      await tx.transaction((inner) => inner.query('INSERT INTO notes (body) VALUES ($1)', ['inner, kept']))
    })
    await expect(
      repo.transaction(async (tx) => {
        await tx.query('INSERT INTO notes (body) VALUES ($1)', ['rolled back'])
        throw new Error('outer fails')
      }),
    ).rejects.toThrow('outer fails')
    expect((await repo.query<{body: string}>('SELECT body FROM notes ORDER BY body')).map((r) => r.body)).toEqual([
      'inner, kept',
      'kept',
    ])
    expect(admin.totalCount - admin.idleCount).toBe(0)
  })
})
