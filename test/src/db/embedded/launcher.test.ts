import {readFile, stat, writeFile, mkdir} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {embeddedStatus, ensureEmbedded, resolveDataDir, stopEmbedded} from '../../../../src/db/embedded/index.js'
import {cleanUpServersAfterEach, ensureInChildProcess, isRoot, processUid, query, runCli, tempDir} from './helpers.js'

cleanUpServersAfterEach()

describe('ensureEmbedded', () => {
  it('creates and starts a server in a fresh data directory, as nobody when root', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const started = performance.now()
    const server = await ensureEmbedded({dataDir})
    const elapsed = performance.now() - started
    console.info(`first ensureEmbedded (initdb + start): ${Math.round(elapsed)} ms`)

    expect(server).toMatchObject({
      dataDir,
      startedByUs: true,
      url: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
    })
    expect(server.port).not.toBe(5432)
    const [row] = await query<{user: string; version: string}>(server.url, 'SELECT current_user AS user, version()')
    expect(row?.user).toBe('postgres')
    expect(row?.version).toMatch(/^PostgreSQL 18\./)

    const state = JSON.parse(await readFile(path.join(dataDir, 'embedded.json'), 'utf8')) as Record<string, unknown>
    expect(state).toMatchObject({pgMajor: 18, port: server.port})
    const pgData = await stat(path.join(dataDir, 'pg'))
    expect(pgData.mode & 0o777).toBe(0o700)
    if (isRoot) {
      expect(pgData.uid).toBe(65534)
      expect(await processUid(server.pid)).toBe(65534)
    }
    await expect(stat(path.join(dataDir, 'lock'))).rejects.toThrow(/ENOENT/)
  })

  it('adopts the running server from another process and from the CLI', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const server = await ensureEmbedded({dataDir})

    const started = performance.now()
    const again = await ensureEmbedded({dataDir})
    console.info(`adopting ensureEmbedded (same process): ${(performance.now() - started).toFixed(1)} ms`)
    expect(again).toEqual({...server, startedByUs: false})

    const child = await ensureInChildProcess(dataDir)
    expect(child).toEqual({ok: true, server: {...server, startedByUs: false}})

    const cli = await runCli(['db', 'url', '--data-dir', dataDir])
    expect(cli).toMatchObject({code: 0, stdout: `${server.url}\n`})
  })

  it('restarts a stopped server on the same port with its data', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const first = await ensureEmbedded({dataDir})
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)')

    expect(await stopEmbedded({dataDir})).toEqual({dataDir, stopped: true, pid: first.pid})
    expect(await embeddedStatus({dataDir})).toMatchObject({initialized: true, running: false})
    expect(await stopEmbedded({dataDir})).toEqual({dataDir, stopped: false})

    const started = performance.now()
    const second = await ensureEmbedded({dataDir})
    console.info(`ensureEmbedded of an initialised, stopped server: ${Math.round(performance.now() - started)} ms`)
    expect(second).toMatchObject({startedByUs: true, port: first.port})
    expect(second.pid).not.toBe(first.pid)
    expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{id: 42}])
  })
})

describe('embeddedStatus', () => {
  it('reports a directory that has no server yet without creating anything', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    expect(await embeddedStatus({dataDir})).toEqual({dataDir, initialized: false, running: false, pgVersion: '18.4'})
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/)
  })

  it('reports a running server', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const server = await ensureEmbedded({dataDir})
    expect(await embeddedStatus({dataDir})).toEqual({
      dataDir,
      initialized: true,
      running: true,
      pid: server.pid,
      port: server.port,
      url: server.url,
      pgVersion: '18.4',
      dataVersion: 18,
    })
  })
})

describe('resolveDataDir', () => {
  it('uses the nearest ancestor with .oban/, else with package.json, else cwd', async () => {
    const root = await tempDir()
    const nested = path.join(root, 'app', 'src', 'deep')
    await mkdir(nested, {recursive: true})
    expect((await resolveDataDir({cwd: nested, env: {}})).dataDir).toBe(path.join(nested, '.oban'))

    await writeFile(path.join(root, 'package.json'), '{}')
    expect((await resolveDataDir({cwd: nested, env: {}})).dataDir).toBe(path.join(root, '.oban'))

    await mkdir(path.join(root, 'app', '.oban'))
    expect(await resolveDataDir({cwd: nested, env: {}})).toEqual({
      dataDir: path.join(root, 'app', '.oban'),
      pgData: path.join(root, 'app', '.oban', 'pg'),
      stateFile: path.join(root, 'app', '.oban', 'embedded.json'),
      lockFile: path.join(root, 'app', '.oban', 'lock'),
      logFile: path.join(root, 'app', '.oban', 'pg', 'server.log'),
    })
  })

  it('prefers the explicit directory, then OBAN_DATA_DIR, resolving relative paths from cwd', async () => {
    const root = await tempDir()
    const env = {OBAN_DATA_DIR: 'from-env'}
    expect((await resolveDataDir({cwd: root, env})).dataDir).toBe(path.join(root, 'from-env'))
    expect((await resolveDataDir({cwd: root, env, dataDir: 'explicit'})).dataDir).toBe(path.join(root, 'explicit'))
    expect((await resolveDataDir({cwd: root, env, dataDir: '/abs/dir'})).dataDir).toBe('/abs/dir')
  })
})
