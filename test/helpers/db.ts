import {randomBytes} from 'node:crypto'
import pg from 'pg'
import {afterAll, inject} from 'vitest'

/** The admin URL that the global setup provides (DATABASE_URL or the throwaway embedded cluster). */
export function adminUrl(): string {
  return inject('adminUrl')
}

/** Returns `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/**
 * Creates an empty database for the calling test file and drops it after the file's tests. Each
 * file gets its own, so files can run in parallel and never see each other's jobs.
 */
export async function createTestDatabase(hint = 'test'): Promise<string> {
  const name = `oban_${hint.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({connectionString: adminUrl()})
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.end()
  }
  afterAll(async () => {
    const client = new pg.Client({connectionString: adminUrl()})
    await client.connect()
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    } finally {
      await client.end()
    }
  })
  return withDatabase(adminUrl(), name)
}
