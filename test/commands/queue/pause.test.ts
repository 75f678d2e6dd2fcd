import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {signalListener} from '../../helpers/signal-listener.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_queue_pause')
await migrateUp(pool, {prefix: 'private'})
const listener = await signalListener(url, pool, ['public', 'private'])

const pause = (...argv: string[]) => runCommand(['queue', 'pause', ...argv, '--database-url', url], {root})
const exitOf = (error: unknown) => (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit

describe('oban queue pause', () => {
  it("sends Oban's pause signal to every node", async () => {
    let output: Awaited<ReturnType<typeof pause>> | undefined
    const sent = await listener.collect(async () => (output = await pause('default')))
    expect(output?.error).toBeUndefined()
    expect(output?.stdout).toBe('Sent pause for queue default, but no live node runs it\n')
    // oclif wraps warnings at 80 columns here (the CLI itself sets OCLIF_COLUMNS off a terminal).
    expect(output?.stderr.replaceAll('\n ›   ', '')).toContain(
      'no oban-ts node is running on schema public, so nothing acted on it',
    )
    expect(sent).toEqual([{channel: 'public.oban_signal', payload: {action: 'pause', ident: 'any', queue: 'default'}}])
  })

  it('pauses every queue of one node with --all --node', async () => {
    let output: Awaited<ReturnType<typeof pause>> | undefined
    const sent = await listener.collect(async () => (output = await pause('--all', '--node', 'web-1')))
    expect(output?.stdout).toBe('Sent pause for every queue, but node web-1 of instance Oban is not running it\n')
    expect(sent.map((s) => s.payload)).toEqual([{action: 'pause', ident: 'Oban.web-1', queue: '*'}])
  })

  it('returns what it sent as JSON, with the instance in the ident', async () => {
    let output: Awaited<ReturnType<typeof pause>> | undefined
    const sent = await listener.collect(
      async () => (output = await pause('events', '--node', 'worker-2', '--instance', 'MyApp.Oban', '--json')),
    )
    const expected = {
      action: 'pause',
      queue: 'events',
      ident: 'MyApp.Oban.worker-2',
      node: 'worker-2',
      instance: 'MyApp.Oban',
      prefix: 'public',
      channel: 'public.oban_signal',
      nodes: [],
    }
    expect(output?.result).toEqual(expected)
    expect(JSON.parse(output!.stdout)).toEqual(expected)
    expect(sent.map((s) => s.payload)).toEqual([{action: 'pause', ident: 'MyApp.Oban.worker-2', queue: 'events'}])
  })

  it('sends on the channel of --prefix', async () => {
    let output: Awaited<ReturnType<typeof pause>> | undefined
    const sent = await listener.collect(async () => (output = await pause('default', '--prefix', 'private')))
    expect(output?.stdout).toBe('Sent pause for queue default (schema private), but no live node runs it\n')
    expect(sent).toEqual([{channel: 'private.oban_signal', payload: {action: 'pause', ident: 'any', queue: 'default'}}])
  })

  it('warns that --instance alone addresses every node, and still sends', async () => {
    let output: Awaited<ReturnType<typeof pause>> | undefined
    const sent = await listener.collect(async () => (output = await pause('default', '--instance', 'Other')))
    expect(output?.stderr).toContain('--instance has no effect without --node')
    expect(sent.map((s) => s.payload)).toEqual([{action: 'pause', ident: 'any', queue: 'default'}])
  })

  it.each([
    [[], 'give a QUEUE, or --all for every queue'],
    [['default', '--all'], 'give either a QUEUE (default) or --all, not both'],
  ])('refuses %j with exit code 2 and sends nothing', async (argv, message) => {
    let output: Awaited<ReturnType<typeof pause>> | undefined
    expect(await listener.collect(async () => (output = await pause(...argv)))).toEqual([])
    expect(output?.error?.message).toBe(message)
    expect(exitOf(output?.error)).toBe(2)
  })

  it('refuses an unknown flag', async () => {
    const {error} = await pause('default', '--queue-name', 'x')
    expect(error?.message).toContain('unknown flag --queue-name')
    expect(exitOf(error)).toBe(2)
  })

  it('says so when the schema has no Oban tables, and sends nothing', async () => {
    let output: Awaited<ReturnType<typeof pause>> | undefined
    const sent = await listener.collect(async () => (output = await pause('default', '--prefix', 'elsewhere')))
    expect(sent).toEqual([])
    expect(output?.error?.message).toBe(
      'the Oban tables are not installed in schema "elsewhere": run `oban migrate --prefix elsewhere` (or start with --migrate)',
    )
    expect(exitOf(output?.error)).toBe(1)
  })

  it('reports errors as JSON under --json', async () => {
    const {stdout} = await pause('--json')
    expect(JSON.parse(stdout)).toEqual({
      error: {code: 'signal_invalid', message: 'give a QUEUE, or --all for every queue'},
    })
    // oclif prints the JSON error and sets the exit code instead of throwing.
    const exitCode = process.exitCode
    process.exitCode = undefined
    expect(exitCode).toBe(2)
  })
})

describe('oban queue pause without a database URL', () => {
  it('refuses to start an embedded server that no node could be using', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oban-nodb-'))
    const saved = {DATABASE_URL: process.env.DATABASE_URL, OBAN_DATABASE_URL: process.env.OBAN_DATABASE_URL}
    delete process.env.DATABASE_URL
    delete process.env.OBAN_DATABASE_URL
    try {
      const {error} = await runCommand(['queue', 'pause', 'default', '--data-dir', join(dir, '.oban')], {root})
      expect(error?.message).toMatch(/the embedded PostgreSQL in .* is not running, so no node can be using it/)
      expect(exitOf(error)).toBe(1)
      expect(existsSync(join(dir, '.oban', 'pg'))).toBe(false)
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)))
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
