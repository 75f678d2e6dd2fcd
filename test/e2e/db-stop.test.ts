import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {embeddedStatus} from '../../src/db/embedded/index.js'
import {killChildrenAfterEach, runOban, spawnOban} from '../helpers/e2e.js'
import {hasScript, obanOnTerminal} from '../helpers/pty.js'
import {cleanUpServersAfterEach, tempDir} from '../src/db/embedded/helpers.js'

// `oban db stop` under running nodes: it names them and asks (on a terminal) or refuses
// (elsewhere) unless --force; `oban db` never acts on the server of an external URL.
killChildrenAfterEach()
cleanUpServersAfterEach()

const noDatabaseUrl = {DATABASE_URL: '', OBAN_DATABASE_URL: '', OBAN_DATA_DIR: ''}

describe('oban db stop', {timeout: 180_000}, () => {
  it('refuses an external URL in one line, touching nothing', async () => {
    const dir = await tempDir('oban-dbstop-url-')
    const refused = await runOban(['db', 'stop', '--database-url', 'postgres://app@db.example:5432/app'], {
      cwd: dir,
      env: noDatabaseUrl,
    })
    expect(refused.stderr).toBe(
      '    Error: oban db stop manages the embedded PostgreSQL under .oban/, not db.example:5432/app: leave --database-url out, and manage that server with its own tools\n',
    )
    expect(refused.code).toBe(2)
    const prefix = await runOban(['db', 'stop', '--prefix', 'jobs'], {cwd: dir, env: noDatabaseUrl})
    expect(prefix.stderr).toMatch(/^ {4}Error: unknown flag --prefix: /)
    expect(prefix.code).toBe(2)
  })

  it('names the connected nodes; refuses off a terminal, a no on a terminal keeps it, --force stops it', async () => {
    const dir = await tempDir('oban-dbstop-')
    const dataDir = path.join(dir, '.oban')
    const nodes = ['a', 'b'].map((node) =>
      spawnOban(['start', '--data-dir', dataDir, '--node', node], {cwd: dir, env: noDatabaseUrl}),
    )
    for (const node of nodes) await node.waitFor(/is running on/, {timeoutMs: 90_000})

    const refused = await runOban(['db', 'stop', '--data-dir', dataDir], {cwd: dir, env: noDatabaseUrl})
    expect(refused.stderr).toBe(
      '    Error: refusing to stop the embedded PostgreSQL: 2 Oban nodes (Oban.a, Oban.b) are connected, and stopping it disconnects them; stop them first, or pass --force\n',
    )
    expect(refused.code).toBe(2)
    expect((await embeddedStatus({dataDir})).running).toBe(true)

    if (hasScript) {
      const declined = await obanOnTerminal(['db', 'stop', '--data-dir', dataDir], {
        input: 'n\n',
        cwd: dir,
        env: noDatabaseUrl,
      })
      expect(declined.screen).toContain(
        '2 Oban nodes (Oban.a, Oban.b) are connected; stopping the embedded PostgreSQL disconnects them. Stop it? [y/N] ',
      )
      expect(declined.screen).toContain('Error: not confirmed: the embedded PostgreSQL keeps running\n')
      expect(declined.code).toBe(1)
      expect((await embeddedStatus({dataDir})).running).toBe(true)
    }

    const forced = await runOban(['db', 'stop', '--force', '--data-dir', dataDir], {cwd: dir, env: noDatabaseUrl})
    expect(forced.stdout).toMatch(/^Stopped the embedded PostgreSQL \(pid \d+\)/)
    expect(forced.code).toBe(0)
    expect((await embeddedStatus({dataDir})).running).toBe(false)
  })
})
