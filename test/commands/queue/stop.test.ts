import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'
import {createTestDatabase} from '../../helpers/db.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {signalListener} from '../../helpers/signal-listener.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_queue_stop')
const empty = await createTestDatabase('cmd_queue_stop_empty')
const listener = await signalListener(url, pool)

type Output = Awaited<ReturnType<typeof runCommand>>
const stop = (...argv: string[]) => runCommand(['queue', 'stop', ...argv, '--database-url', url], {root})

describe('oban queue stop', () => {
  it("sends Oban's stop signal", async () => {
    let output: Output | undefined
    const sent = await listener.collect(async () => (output = await stop('events')))
    expect(output?.error).toBeUndefined()
    expect(output?.stdout).toBe('Sent stop for queue events, but no live node runs it\n')
    expect(sent.map((s) => s.payload)).toEqual([{action: 'stop', ident: 'any', queue: 'events'}])
  })

  it('addresses one node of a named instance', async () => {
    let output: Output | undefined
    const sent = await listener.collect(
      async () => (output = await stop('events', '--node', 'worker-2', '--instance', 'MyApp.Oban')),
    )
    expect(output?.stdout).toBe(
      'Sent stop for queue events, but node worker-2 of instance MyApp.Oban is not running it\n',
    )
    expect(sent.map((s) => s.payload)).toEqual([{action: 'stop', ident: 'MyApp.Oban.worker-2', queue: 'events'}])
  })

  it('refuses a missing queue and --all', async () => {
    const missing = await stop()
    expect(missing.error?.message).toContain('missing argument QUEUE')
    expect(missing.error?.oclif?.exit).toBe(2)
    const all = await stop('--all')
    expect(all.error?.message).toContain('unknown flag --all')
    expect(all.error?.oclif?.exit).toBe(2)
  })

  it('says the database has no Oban tables rather than signalling into the void', async () => {
    const {error} = await runCommand(['queue', 'stop', 'events', '--database-url', empty], {root})
    expect(error?.message).toBe(
      'the Oban tables are not installed in schema "public": run `oban migrate` (or start with --migrate)',
    )
    expect(error?.oclif?.exit).toBe(1)
  })

  it('says the server cannot be reached', async () => {
    const {error} = await runCommand(
      ['queue', 'stop', 'events', '--database-url', 'postgres://postgres@127.0.0.1:1/x'],
      {
        root,
      },
    )
    expect(error?.message).toBe(
      'cannot connect to 127.0.0.1:1/x: connection refused (is the server running and listening there?)',
    )
    expect(error?.oclif?.exit).toBe(1)
  })
})
