import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {signalListener} from '../../helpers/signal-listener.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_queue_scale')
const listener = await signalListener(url, pool)

type Output = Awaited<ReturnType<typeof runCommand>>
const scale = (...argv: string[]) => runCommand(['queue', 'scale', ...argv, '--database-url', url], {root})

describe('oban queue scale', () => {
  it("sends Oban's scale signal with the new limit", async () => {
    let output: Output | undefined
    const sent = await listener.collect(async () => (output = await scale('default', '--limit', '20')))
    expect(output?.error).toBeUndefined()
    expect(output?.stdout).toBe('Sent scale (limit 20) for queue default, but no live node runs it\n')
    expect(sent.map((s) => s.payload)).toEqual([{action: 'scale', ident: 'any', limit: 20, queue: 'default'}])
  })

  it('addresses one node and returns JSON', async () => {
    let output: Output | undefined
    const sent = await listener.collect(
      async () => (output = await scale('events', '--limit', '2', '--node', 'web-1', '--json')),
    )
    const expected = {
      action: 'scale',
      queue: 'events',
      ident: 'Oban.web-1',
      node: 'web-1',
      instance: 'Oban',
      limit: 2,
      prefix: 'public',
      channel: 'public.oban_signal',
      nodes: [],
    }
    expect(output?.result).toEqual(expected)
    expect(JSON.parse(output!.stdout)).toEqual(expected)
    expect(sent.map((s) => s.payload)).toEqual([{action: 'scale', ident: 'Oban.web-1', limit: 2, queue: 'events'}])
  })

  it.each([
    [['default'], 'missing required flag --limit', 2],
    [['default', '--limit', '0'], 'scale needs a limit from 1 to 10,000 (jobs each node runs at once), got 0', 2],
    [['default', '--limit', '-3'], 'scale needs a limit from 1 to 10,000 (jobs each node runs at once), got -3', 2],
    [['default', '--limit', 'many'], '--limit: expected an integer, got "many"', 2],
    [['default', '--limit', '5', '--all'], 'unknown flag --all', 2],
    [['*', '--limit', '5'], '"*" (every queue) works with pause and resume only, not scale', 2],
    [['--limit', '5'], 'missing argument QUEUE', 2],
  ])('refuses %j, sending nothing', async (argv, message, exit) => {
    let output: Output | undefined
    expect(await listener.collect(async () => (output = await scale(...argv)))).toEqual([])
    expect(output?.error?.message).toContain(message)
    expect(output?.error?.oclif?.exit).toBe(exit)
  })
})
