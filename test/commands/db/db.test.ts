import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {runCommand} from '@oclif/test'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {DbStatusJson} from '../../../commands/db/status.js'
import {cleanUpServersAfterEach, query, repoRoot, tempDir} from '../../src/db/embedded/helpers.js'

cleanUpServersAfterEach()

afterEach(() => {
  vi.unstubAllEnvs()
})

/** Runs `oban <args>` in this process, as the installed CLI would. */
async function oban(args: string[]) {
  return runCommand(args, {root: repoRoot})
}

function json<T>(stdout: string): T {
  return JSON.parse(stdout) as T
}

describe('oban db', () => {
  it('status, start, url, stop: the whole life of a server, with --json shapes', async () => {
    vi.stubEnv('DATABASE_URL', '')
    vi.stubEnv('OBAN_DATABASE_URL', '')
    const dataDir = path.join(await tempDir(), '.oban')

    const before = await oban(['db', 'status', '--data-dir', dataDir, '--json'])
    expect(before.error).toBeUndefined()
    expect(json<DbStatusJson>(before.stdout)).toEqual({
      dataDir,
      initialized: false,
      running: false,
      pgVersion: '18.4',
      external: null,
    })

    const start = await oban(['db', 'start', '--data-dir', dataDir, '--json'])
    expect(start.error).toBeUndefined()
    const server = json<{url: string; port: number; pid: number; dataDir: string; startedByUs: boolean}>(start.stdout)
    expect(server).toEqual({
      url: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
      port: server.port,
      pid: server.pid,
      dataDir,
      startedByUs: true,
    })

    const again = await oban(['db', 'start', '--data-dir', dataDir])
    expect(again.stdout).toBe(
      `The embedded PostgreSQL is already running (pid ${server.pid}) at ${server.url} (data: ${dataDir}).\n`,
    )

    const url = await oban(['db', 'url', '--data-dir', dataDir])
    expect(url.stdout).toBe(`${server.url}\n`)
    expect(json<{url: string}>((await oban(['db', 'url', '--data-dir', dataDir, '--json'])).stdout)).toEqual({
      url: server.url,
    })
    expect(await query<{one: number}>(url.stdout.trim(), 'SELECT 1 AS one')).toEqual([{one: 1}])

    const running = await oban(['db', 'status', '--data-dir', dataDir])
    expect(running.stdout).toBe(
      `Embedded PostgreSQL 18.4 is running (pid ${server.pid}) at ${server.url} (data: ${dataDir}).\n`,
    )
    expect(json<DbStatusJson>((await oban(['db', 'status', '--data-dir', dataDir, '--json'])).stdout)).toEqual({
      dataDir,
      initialized: true,
      running: true,
      pid: server.pid,
      port: server.port,
      url: server.url,
      pgVersion: '18.4',
      dataVersion: 18,
      external: null,
    })

    const stop = await oban(['db', 'stop', '--data-dir', dataDir, '--json'])
    expect(json(stop.stdout)).toEqual({dataDir, stopped: true, pid: server.pid})
    const stopAgain = await oban(['db', 'stop', '--data-dir', dataDir])
    expect(stopAgain.error).toBeUndefined()
    expect(stopAgain.stdout).toBe(`The embedded PostgreSQL in ${dataDir} is not running.\n`)

    const stopped = await oban(['db', 'status', '--data-dir', dataDir])
    expect(stopped.stdout).toContain('Embedded PostgreSQL is stopped')
  })

  it('status says when an external database is configured, and still reports the embedded state', async () => {
    vi.stubEnv('DATABASE_URL', 'postgres://app:secret@db.example:6543/jobs')
    const dataDir = path.join(await tempDir(), '.oban')
    const human = await oban(['db', 'status', '--data-dir', dataDir])
    expect(human.stdout).toContain('External database configured (DATABASE_URL): db.example:6543/jobs.')
    expect(human.stdout).not.toContain('secret')
    expect(human.stdout).toContain(`No embedded PostgreSQL in ${dataDir} yet.`)

    const flagged = await oban(['db', 'status', '--data-dir', dataDir, '--database-url', 'postgres://x@h/d', '--json'])
    expect(json<DbStatusJson>(flagged.stdout)).toMatchObject({
      initialized: false,
      external: {source: '--database-url', database: 'h/d'},
    })
  })

  it('reports a corrupt data directory: status as a problem, start as an error with exit code 1', async () => {
    vi.stubEnv('DATABASE_URL', '')
    const dataDir = path.join(await tempDir(), '.oban')
    await mkdir(dataDir)
    await writeFile(path.join(dataDir, 'embedded.json'), 'garbage')

    const status = await oban(['db', 'status', '--data-dir', dataDir, '--json'])
    expect(json<DbStatusJson>(status.stdout).problem).toContain(path.join(dataDir, 'embedded.json'))

    const start = await oban(['db', 'start', '--data-dir', dataDir])
    expect(start.error?.message).toContain(`${path.join(dataDir, 'embedded.json')} is unreadable (not JSON)`)
    expect(start.error?.oclif?.exit).toBe(1)
  })
})
