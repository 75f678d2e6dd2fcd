import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import Nodes from '../../commands/nodes.js'
import type {NodesView} from '../../src/operator/nodes-view.js'
import {exampleArgv, plainCells, runArgv} from '../helpers/command-examples.js'
import {startNodeFixture} from '../helpers/node-fixture.js'

// `oban nodes` through oclif, against the nodes of startNodeFixture: oban-ts nodes of two
// instances and two Elixir leaders (oban_peers rows without a presence row).
const root = fileURLToPath(new URL('../..', import.meta.url))
const {url, location} = await startNodeFixture('cmd_nodes')
const oban = (...argv: string[]) => runArgv(root, [...argv, '--database-url', url])

describe('oban nodes', () => {
  it('lists every node with its runtime, instance, role, queues and running jobs', async () => {
    const {stdout, stderr, error} = await oban('nodes')
    expect(error).toBeUndefined()
    expect(stderr).toBe('')
    expect(plainCells(stdout)).toEqual([
      [`5 nodes: 3 oban-ts nodes, 2 elixir nodes on ${location} (schema public)`],
      ['NODE', 'RUNTIME', 'INSTANCE', 'ROLE', 'QUEUES', 'RUNNING', 'SEEN'],
      ['myapp@web-1', 'elixir', 'MyApp.Oban', 'leader', 'unknown', 'unknown', '-'],
      ['o1', 'oban-ts', 'Oban', 'leader', 'default 3, mailers 2 paused', '1', '<t>'],
      ['o2', 'oban-ts', 'Oban', 'follower', 'default 10', '4', '<t>'],
      ['elixir@web-1', 'elixir', 'Other', 'leader', 'unknown', 'unknown', '-'],
      ['w1', 'oban-ts', 'Other', 'follower', 'default 1, events 2', '0', '<t>'],
      [
        'myapp@web-1, elixir@web-1 (elixir): queues, limits and running jobs unknown (Elixir Oban does not publish them; their jobs are in every count)',
      ],
    ])
  })

  it('returns the documented shape with --json, and one instance with --instance', async () => {
    const {stdout, result} = await oban('nodes', '--json')
    expect(JSON.parse(stdout)).toEqual(result)
    const view = result as NodesView
    expect(view.database).toBe(location)
    expect(view.prefix).toBe('public')
    expect(view.leaderConflicts).toEqual([])
    expect(view.nodes.map((n) => [n.instance, n.node, n.runtime, n.leader, n.seenIn])).toEqual([
      ['MyApp.Oban', 'myapp@web-1', 'elixir', true, ['oban_peers']],
      ['Oban', 'o1', 'oban-ts', true, ['oban_ts_nodes']],
      ['Oban', 'o2', 'oban-ts', false, ['oban_ts_nodes']],
      ['Other', 'elixir@web-1', 'elixir', true, ['oban_peers']],
      ['Other', 'w1', 'oban-ts', false, ['oban_ts_nodes']],
    ])
    const other = (await oban('nodes', '--instance', 'Other', '--json')).result as NodesView
    expect(other.nodes.map((n) => n.node)).toEqual(['elixir@web-1', 'w1'])
  })

  it('says so when nothing runs (exit 0)', async () => {
    const {stdout, error} = await oban('nodes', '--prefix', 'jobs')
    expect(error).toBeUndefined()
    expect(stdout).toBe(
      `no node is running against ${location} (schema jobs) (Elixir nodes show once a running oban-ts node has heard their pings)\n`,
    )
  })
})

describe('the examples in --help', () => {
  it('oban nodes: every example runs against running nodes', async () => {
    expect(Nodes.examples.length).toBeGreaterThan(0)
    for (const example of Nodes.examples) {
      const argv = [...exampleArgv('nodes', example), '--database-url', url]
      const {error, stdout} = await runArgv(root, argv)
      expect(error, example).toBeUndefined()
      if (argv.includes('--json')) expect(() => JSON.parse(stdout) as unknown, example).not.toThrow()
      else expect(stdout.length, example).toBeGreaterThan(0)
    }
  })
})
