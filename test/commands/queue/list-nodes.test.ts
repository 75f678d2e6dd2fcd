import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import QueueList from '../../../commands/queue/list.js'
import {exampleArgv, plainCells, runArgv} from '../../helpers/command-examples.js'
import {startNodeFixture} from '../../helpers/node-fixture.js'

// The nodes of `oban queue list` (NODES, `nodes` in --json, --instance), against two instances
// running in this process and a node of another process (see startNodeFixture).
const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url} = await startNodeFixture('cmd_queue_list_nodes')
const oban = (...argv: string[]) => runArgv(root, [...argv, '--database-url', url])

describe('oban queue list with running nodes', () => {
  it('adds the nodes running each queue, and the queues that only run on nodes', async () => {
    const {stdout, error} = await oban('queue', 'list')
    expect(error).toBeUndefined()
    expect(plainCells(stdout)).toEqual([
      ['QUEUE', 'AVAILABLE', 'SCHEDULED', 'EXECUTING', 'RETRYABLE', 'LATENCY', 'NODES'],
      ['default', '0', '0', '0', '0', '-', '3 nodes · limit 14 · 4 running'],
      ['events', '0', '0', '0', '0', '-', '1 node · limit 2 · 0 running'],
      ['legacy', '1', '0', '0', '0', '<t>', '-'],
      ['mailers', '0', '0', '1', '0', '-', '1 node · limit 2 · 1 running · 1 paused'],
      [
        'myapp@web-1, elixir@web-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
      ],
    ])
  })

  it('returns the nodes per queue with --json, and only one instance’s with --instance', async () => {
    const {stdout, result} = await oban('queue', 'list', '--json')
    expect(JSON.parse(stdout)).toEqual(result)
    const nodesOf = (queues: unknown) =>
      Object.fromEntries((queues as {queue: string; nodes: unknown[]}[]).map((q) => [q.queue, q.nodes]))
    expect(nodesOf(result)).toEqual({
      default: [
        {instance: 'Oban', node: 'o1', runtime: 'oban-ts', limit: 3, running: 0, paused: false},
        {instance: 'Oban', node: 'o2', runtime: 'oban-ts', limit: 10, running: 4, paused: false},
        {instance: 'Other', node: 'w1', runtime: 'oban-ts', limit: 1, running: 0, paused: false},
      ],
      events: [{instance: 'Other', node: 'w1', runtime: 'oban-ts', limit: 2, running: 0, paused: false}],
      legacy: [],
      mailers: [{instance: 'Oban', node: 'o1', runtime: 'oban-ts', limit: 2, running: 1, paused: true}],
    })
    expect((result as Record<string, unknown>[])[0]).toEqual({
      queue: 'default',
      available: 0,
      scheduled: 0,
      executing: 0,
      retryable: 0,
      oldestAvailableAt: null,
      latencyMs: null,
      nodes: expect.any(Array) as unknown[],
      unrunnable: [],
    })

    const other = await oban('queue', 'list', '--instance', 'Other', '--json')
    expect(nodesOf(other.result)).toEqual({
      default: [{instance: 'Other', node: 'w1', runtime: 'oban-ts', limit: 1, running: 0, paused: false}],
      events: [{instance: 'Other', node: 'w1', runtime: 'oban-ts', limit: 2, running: 0, paused: false}],
      legacy: [],
      mailers: [],
    })
    const text = await oban('queue', 'list', '--instance', 'Other')
    expect(plainCells(text.stdout).map((cells) => [cells[0], cells.at(-1)])).toEqual([
      ['QUEUE', 'NODES'],
      ['default', '1 node · limit 1 · 0 running'],
      ['events', '1 node · limit 2 · 0 running'],
      ['legacy', '-'],
      ['mailers', '-'],
      [
        'elixir@web-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
        'elixir@web-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
      ],
    ])
  })
})

describe('the examples in --help', () => {
  it('oban queue list: every example runs against running nodes', async () => {
    expect(QueueList.examples.length).toBeGreaterThan(0)
    for (const example of QueueList.examples) {
      const argv = [...exampleArgv('queue list', example), '--database-url', url]
      const {error, stdout} = await runArgv(root, argv)
      expect(error, example).toBeUndefined()
      if (argv.includes('--json')) expect(() => JSON.parse(stdout) as unknown, example).not.toThrow()
      else expect(stdout.length, example).toBeGreaterThan(0)
    }
  })
})
