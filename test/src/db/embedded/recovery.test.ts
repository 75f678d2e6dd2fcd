import {spawn} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {ensureEmbedded, stopEmbedded} from '../../../../src/db/embedded/index.js'
import {processState} from '../../../../src/db/embedded/processes.js'
import {waitFor} from '../../../helpers/wait.js'
import {cleanUpServersAfterEach, isRoot, killQuietly, query, tempDir} from './helpers.js'

cleanUpServersAfterEach()

const children: number[] = []
afterEach(() => {
  for (const pid of children.splice(0)) killQuietly(pid)
})

async function waitUntilGone(pid: number): Promise<void> {
  await waitFor(async () => (await processState(pid)) !== 'alive', {message: `process ${pid} to end`, intervalMs: 25})
}

describe('stale postmaster.pid (P3)', () => {
  it('recovers after the postmaster was killed with -9', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const first = await ensureEmbedded({dataDir})
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)')
    process.kill(first.pid, 'SIGKILL')
    await waitUntilGone(first.pid)

    const second = await ensureEmbedded({dataDir})
    expect(second).toMatchObject({startedByUs: true, port: first.port})
    expect(second.pid).not.toBe(first.pid)
    expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{id: 1}])
  })

  it('starts over a pid file whose process is dead', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const first = await ensureEmbedded({dataDir})
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid')
    const saved = await readFile(pidFile, 'utf8')
    await stopEmbedded({dataDir})
    // A short-lived process gives a pid that certainly no longer exists.
    const gone = spawn(process.execPath, ['-e', ''])
    await new Promise((resolve) => gone.once('exit', resolve))
    await writeFile(pidFile, saved.replace(/^\d+/, String(gone.pid)))

    const second = await ensureEmbedded({dataDir})
    expect(second).toMatchObject({startedByUs: true, port: first.port})
    expect(second.pid).not.toBe(gone.pid)
  })

  it('starts over a pid file whose pid now belongs to another program of the same user', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const first = await ensureEmbedded({dataDir})
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid')
    const saved = await readFile(pidFile, 'utf8')
    await stopEmbedded({dataDir})
    // The server's own user (nobody, as root) runs it, so PostgreSQL alone would refuse to start.
    const ids = isRoot ? {uid: 65534, gid: 65534} : {}
    const foreign = spawn('sleep', ['60'], {...ids, stdio: 'ignore'})
    children.push(foreign.pid!)
    await writeFile(pidFile, saved.replace(/^\d+/, String(foreign.pid)))

    const second = await ensureEmbedded({dataDir})
    expect(second).toMatchObject({startedByUs: true, port: first.port})
    expect(await processState(foreign.pid!)).toBe('alive')
    expect((await query<{n: number}>(second.url, 'SELECT 1 AS n'))[0]?.n).toBe(1)
  })
})

describe('port', () => {
  it('moves to a new free port when the recorded one is taken, and records it', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const first = await ensureEmbedded({dataDir})
    await stopEmbedded({dataDir})
    const squatter = net.createServer()
    await new Promise<void>((resolve) => squatter.listen(first.port, '127.0.0.1', resolve))
    try {
      const second = await ensureEmbedded({dataDir})
      expect(second.port).not.toBe(first.port)
      const state = JSON.parse(await readFile(path.join(dataDir, 'embedded.json'), 'utf8')) as {port: number}
      expect(state.port).toBe(second.port)
      expect((await query<{n: number}>(second.url, 'SELECT 1 AS n'))[0]?.n).toBe(1)
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })
})
