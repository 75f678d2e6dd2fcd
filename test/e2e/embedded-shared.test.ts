import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {embeddedStatus} from '../../src/db/embedded/index.js'
import {killChildrenAfterEach, runOban, spawnOban} from '../helpers/e2e.js'
import {cleanUpServersAfterEach, query, tempDir} from '../src/db/embedded/helpers.js'

// Two `oban start` processes on one project's embedded PostgreSQL: the one that started the server
// must not stop it under the other when it exits first.
killChildrenAfterEach()
cleanUpServersAfterEach()

const noDatabaseUrl = {DATABASE_URL: '', OBAN_DATABASE_URL: '', OBAN_DATA_DIR: ''}

function start(dir: string, node: string) {
  return spawnOban(['start', '--data-dir', path.join(dir, '.oban'), '--node', node], {cwd: dir, env: noDatabaseUrl})
}

describe('oban start on a shared embedded PostgreSQL', () => {
  it('leaves the server running while another node uses it; the last node to exit stops it', async () => {
    const dir = await tempDir('oban-shared-')
    const dataDir = path.join(dir, '.oban')
    const first = start(dir, 'first')
    await first.waitFor(/is running on/, {timeoutMs: 60_000})
    const second = start(dir, 'second')
    await second.waitFor(/is running on/, {timeoutMs: 60_000})

    first.signal('SIGINT')
    expect((await first.exited).code).toBe(0)
    expect(first.stdout() + first.stderr()).toMatch(/left the embedded PostgreSQL running: \d+ other connection/)
    const status = await embeddedStatus({dataDir})
    expect(status.running).toBe(true)

    // The second node still works: a job inserted now is run by it.
    const inserted = await runOban(['job', 'insert', 'Missing.Worker', '--json', '--data-dir', dataDir], {
      cwd: dir,
      env: noDatabaseUrl,
    })
    expect(inserted.code).toBe(0)
    const {id} = JSON.parse(inserted.stdout) as {id: number}
    await expect
      .poll(
        async () =>
          (await query<{state: string}>(status.url!, `SELECT state FROM oban_jobs WHERE id = ${Number(id)}`))[0]?.state,
        {timeout: 15_000, interval: 200},
      )
      .toBe('retryable')
    expect(second.running).toBe(true)

    // The node that started the server is gone: the last one out turns it off.
    second.signal('SIGINT')
    expect((await second.exited).code).toBe(0)
    expect((await embeddedStatus({dataDir})).running).toBe(false)
  })

  it('never stops a server the user started with oban db start', async () => {
    const dir = await tempDir('oban-kept-')
    const dataDir = path.join(dir, '.oban')
    const node = start(dir, 'node')
    await node.waitFor(/is running on/, {timeoutMs: 60_000})
    // Started by the node; `oban db start` adopts it for the user.
    const kept = await runOban(['db', 'start', '--data-dir', dataDir], {cwd: dir, env: noDatabaseUrl})
    expect(kept).toMatchObject({code: 0})
    expect(kept.stdout).toContain('already running')
    node.signal('SIGINT')
    expect((await node.exited).code).toBe(0)
    expect((await embeddedStatus({dataDir})).running).toBe(true)
  })

  it('stops the server it started when no one else is connected', async () => {
    const dir = await tempDir('oban-alone-')
    const dataDir = path.join(dir, '.oban')
    const only = start(dir, 'only')
    await only.waitFor(/is running on/, {timeoutMs: 60_000})
    expect((await embeddedStatus({dataDir})).running).toBe(true)
    only.signal('SIGINT')
    expect((await only.exited).code).toBe(0)
    expect(only.stdout() + only.stderr()).not.toMatch(/left the embedded PostgreSQL running/)
    expect((await embeddedStatus({dataDir})).running).toBe(false)
  })
})
