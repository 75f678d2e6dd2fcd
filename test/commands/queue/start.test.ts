import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {signalListener} from '../../helpers/signal-listener.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_queue_start')
const listener = await signalListener(url, pool)

type Output = Awaited<ReturnType<typeof runCommand>>
const start = (...argv: string[]) => runCommand(['queue', 'start', ...argv, '--database-url', url], {root})

describe('oban queue start', () => {
  it("sends Oban's start signal with the limit", async () => {
    let output: Output | undefined
    const sent = await listener.collect(async () => (output = await start('events', '--limit', '5')))
    expect(output?.error).toBeUndefined()
    expect(output?.stdout).toBe('Sent start (limit 5) for queue events, but no live node runs it\n')
    expect(sent.map((s) => s.payload)).toEqual([{action: 'start', ident: 'any', limit: 5, queue: 'events'}])
  })

  it('starts a queue paused on one node, with JSON output', async () => {
    let output: Output | undefined
    const sent = await listener.collect(
      async () => (output = await start('reports', '--limit', '1', '--paused', '--node', 'worker-2', '--json')),
    )
    expect(output?.result).toEqual({
      action: 'start',
      queue: 'reports',
      ident: 'Oban.worker-2',
      node: 'worker-2',
      instance: 'Oban',
      limit: 1,
      paused: true,
      prefix: 'public',
      channel: 'public.oban_signal',
      nodes: [],
    })
    expect(sent.map((s) => s.payload)).toEqual([
      {action: 'start', ident: 'Oban.worker-2', limit: 1, paused: true, queue: 'reports'},
    ])
  })

  it.each([
    [['events'], 'missing required flag --limit'],
    [['events', '--limit', '0'], 'start needs a limit from 1 to 10,000 (jobs each node runs at once), got 0'],
    [['events', '--limit', '2', '--all'], 'unknown flag --all'],
  ])('refuses %j with exit code 2, sending nothing', async (argv, message) => {
    let output: Output | undefined
    expect(await listener.collect(async () => (output = await start(...argv)))).toEqual([])
    expect(output?.error?.message).toContain(message)
    expect(output?.error?.oclif?.exit).toBe(2)
  })
})
