import {spawn} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {EmbeddedPostgresError} from '../../../../src/errors.js'
import {embeddedStatus} from '../../../../src/db/embedded/index.js'
import {withLock} from '../../../../src/db/embedded/lock.js'
import {cleanUpServersAfterEach, ensureInChildProcess, tempDir, type EnsureOutcome} from './helpers.js'

cleanUpServersAfterEach()

describe('two processes at once (P4)', () => {
  it('both succeed on a fresh directory and share one server', async () => {
    const dataDir = path.join(await tempDir(), '.oban')
    const outcomes = await Promise.all([ensureInChildProcess(dataDir), ensureInChildProcess(dataDir)])
    const servers = outcomes.map((outcome: EnsureOutcome) => {
      if (!outcome.ok) throw new Error(`a process failed: ${outcome.message}`)
      return outcome.server
    })
    expect(servers.map((server) => server.startedByUs).sort()).toEqual([false, true])
    expect(servers[0]?.pid).toBe(servers[1]?.pid)
    expect(servers[0]?.url).toBe(servers[1]?.url)
    expect(await embeddedStatus({dataDir})).toMatchObject({running: true, pid: servers[0]?.pid})
  })
})

describe('withLock', () => {
  it('runs holders one after the other, also within one process', async () => {
    const file = path.join(await tempDir(), 'lock')
    const events: string[] = []
    const holder = (name: string) =>
      withLock(file, async () => {
        events.push(`${name} in`)
        await sleep(30)
        events.push(`${name} out`)
      })
    await Promise.all([holder('a'), holder('b'), holder('c')])
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]?.replace('in', 'out'))
    expect(events).toHaveLength(6)
    await expect(readFile(file)).rejects.toThrow(/ENOENT/)
  })

  it('breaks a lock left by a process that is gone', async () => {
    const file = path.join(await tempDir(), 'lock')
    const gone = spawn(process.execPath, ['-e', ''])
    await new Promise((resolve) => gone.once('exit', resolve))
    await writeFile(file, `${gone.pid}\n123\n`)
    expect(await withLock(file, () => Promise.resolve('ran'), {timeoutMs: 2_000})).toBe('ran')
  })

  it('breaks a lock whose pid was reused by another process (start time differs)', async () => {
    const file = path.join(await tempDir(), 'lock')
    await writeFile(file, `${process.pid}\n1\n`)
    expect(await withLock(file, () => Promise.resolve('ran'), {timeoutMs: 2_000})).toBe('ran')
  })

  it('waits for a live holder and times out with a message that names the file and the holder', async () => {
    const file = path.join(await tempDir(), 'lock')
    const holder = spawn('sleep', ['30'], {stdio: 'ignore'})
    try {
      await writeFile(file, `${holder.pid}\n\n`)
      const error = await withLock(file, () => Promise.resolve(), {timeoutMs: 300}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(EmbeddedPostgresError)
      expect((error as Error).message).toContain(file)
      expect((error as Error).message).toContain(`held by process ${holder.pid}`)
      expect(await readFile(file, 'utf8')).toBe(`${holder.pid}\n\n`)
    } finally {
      holder.kill('SIGKILL')
    }
  })
})
