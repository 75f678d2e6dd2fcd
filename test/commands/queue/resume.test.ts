import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {signalListener} from '../../helpers/signal-listener.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_queue_resume')
const listener = await signalListener(url, pool)

type Output = Awaited<ReturnType<typeof runCommand>>
const resume = (...argv: string[]) => runCommand(['queue', 'resume', ...argv, '--database-url', url], {root})

describe('oban queue resume', () => {
  it("sends Oban's resume signal to every node", async () => {
    let output: Output | undefined
    const sent = await listener.collect(async () => (output = await resume('default')))
    expect(output?.error).toBeUndefined()
    expect(output?.stdout).toBe('Sent resume for queue default, but no live node runs it\n')
    expect(sent.map((s) => s.payload)).toEqual([{action: 'resume', ident: 'any', queue: 'default'}])
  })

  it('resumes every queue of one node, as resume_all_queues(node: ...)', async () => {
    let output: Output | undefined
    const sent = await listener.collect(async () => (output = await resume('--all', '--node', 'elixir-1', '--json')))
    expect(output?.result).toEqual({
      action: 'resume',
      queue: '*',
      ident: 'Oban.elixir-1',
      node: 'elixir-1',
      instance: 'Oban',
      prefix: 'public',
      channel: 'public.oban_signal',
      nodes: [],
    })
    // Byte for byte what Oban v2.23.1 sends (oban-wire.md), keys aside.
    expect(sent.map((s) => s.payload)).toEqual([{action: 'resume', ident: 'Oban.elixir-1', queue: '*'}])
  })

  it('refuses a node name with spaces before connecting', async () => {
    const {error} = await runCommand(
      ['queue', 'resume', 'default', '--node', '"two words"', '--database-url', 'postgres://postgres@127.0.0.1:1/x'],
      {root},
    )
    expect(error?.message).toBe('invalid node name "two words"')
    expect(error?.oclif?.exit).toBe(2)
  })
})
