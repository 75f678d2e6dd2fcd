import {chmod, mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {EmbeddedPostgresError} from '../../../../src/errors.js'
import {embeddedStatus, ensureEmbedded, stopEmbedded} from '../../../../src/db/embedded/index.js'
import {locateBinaries} from '../../../../src/db/embedded/binaries.js'
import {cleanUpServersAfterEach, isRoot, query, tempDir} from './helpers.js'

cleanUpServersAfterEach()

async function failureOf(promise: Promise<unknown>): Promise<EmbeddedPostgresError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(EmbeddedPostgresError)
  return error as EmbeddedPostgresError
}

/** A data directory with a stopped cluster in it. */
async function stoppedCluster(): Promise<string> {
  const dataDir = path.join(await tempDir(), '.oban')
  await ensureEmbedded({dataDir})
  await stopEmbedded({dataDir})
  return dataDir
}

describe('major version mismatch (P7)', () => {
  it('refuses a data directory whose PG_VERSION is another major, saying how to fix it', async () => {
    const dataDir = await stoppedCluster()
    await writeFile(path.join(dataDir, 'pg', 'PG_VERSION'), '17\n')
    const error = await failureOf(ensureEmbedded({dataDir}))
    expect(error.message).toContain('created by PostgreSQL 17')
    expect(error.message).toContain('PostgreSQL 18.4')
    expect(error.message).toContain('pg_dump')
    expect(error.message).toContain(`delete ${dataDir}`)
    expect((await embeddedStatus({dataDir})).problem).toBe(error.message)
  })

  it('refuses a state file that records another major', async () => {
    const dataDir = await stoppedCluster()
    const stateFile = path.join(dataDir, 'embedded.json')
    await writeFile(stateFile, JSON.stringify({pgMajor: 17, port: 50000}))
    const error = await failureOf(ensureEmbedded({dataDir}))
    expect(error.message).toContain('created by PostgreSQL 17')
  })

  it('refuses before adopting a server that is already running', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    await ensureEmbedded({dataDir})
    await writeFile(path.join(dataDir, 'embedded.json'), JSON.stringify({pgMajor: 16, port: 50000}))
    expect((await failureOf(ensureEmbedded({dataDir}))).message).toContain('created by PostgreSQL 16')
  })
})

describe('a corrupt data directory', () => {
  it('names a garbage embedded.json and says to delete it', async () => {
    const dataDir = await stoppedCluster()
    const stateFile = path.join(dataDir, 'embedded.json')
    await writeFile(stateFile, '{"pgMajor": 18, "port": ')
    const error = await failureOf(ensureEmbedded({dataDir}))
    expect(error.message).toContain(stateFile)
    expect(error.message).toContain('Delete that file')
    expect(error.code).toBe('embedded_postgres')
  })

  it('re-creates a deleted embedded.json from the cluster and keeps the data', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const first = await ensureEmbedded({dataDir})
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)')
    await stopEmbedded({dataDir})
    await rm(path.join(dataDir, 'embedded.json'))
    const second = await ensureEmbedded({dataDir})
    expect(second).toMatchObject({startedByUs: true})
    expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{id: 7}])
    expect(JSON.parse(await readFile(path.join(dataDir, 'embedded.json'), 'utf8'))).toMatchObject({
      pgMajor: 18,
      port: second.port,
    })
  })

  it('refuses a PGDATA that is not a data directory', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    await mkdir(path.join(dataDir, 'pg'), {recursive: true})
    await writeFile(path.join(dataDir, 'pg', 'notes.txt'), 'mine')
    const error = await failureOf(ensureEmbedded({dataDir}))
    expect(error.message).toContain(`${path.join(dataDir, 'pg')} is not a PostgreSQL data directory`)
    expect(error.message).toContain(`delete ${dataDir}`)
  })

  it('refuses a data directory path that is a file', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    await writeFile(dataDir, '')
    expect((await failureOf(ensureEmbedded({dataDir}))).message).toContain(dataDir)
  })

  it('initialises into an empty PGDATA', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    await mkdir(path.join(dataDir, 'pg'), {recursive: true})
    expect(await ensureEmbedded({dataDir})).toMatchObject({startedByUs: true})
  })
})

describe.runIf(isRoot)('as root (P1)', () => {
  it('explains that nobody cannot reach a data directory under a 0700 directory', async () => {
    const root = await tempDir()
    const closed = path.join(root, 'closed')
    await mkdir(closed, {mode: 0o700})
    await chmod(closed, 0o700)
    const dataDir = path.join(closed, 'project', '.oban')
    const error = await failureOf(ensureEmbedded({dataDir}))
    expect(error.message).toContain('uid 65534')
    expect(error.message).toContain(`${closed} has mode 0700`)
    expect(error.message).toContain('DATABASE_URL')
  })
})

describe('an unsupported platform (P8)', () => {
  const arch = Object.getOwnPropertyDescriptor(process, 'arch')!
  afterEach(() => {
    Object.defineProperty(process, 'arch', arch)
  })

  it('points at DATABASE_URL', async () => {
    Object.defineProperty(process, 'arch', {...arch, value: 'mips'})
    const error = await failureOf(locateBinaries())
    expect(error.message).toContain(`no embedded PostgreSQL for ${process.platform}-mips`)
    expect(error.message).toContain('DATABASE_URL')
    Object.defineProperty(process, 'arch', arch)
    const status = await embeddedStatus({dataDir: path.join(await tempDir(), '.oban')})
    expect(status.pgVersion).toBe('18.4')
  })
})
