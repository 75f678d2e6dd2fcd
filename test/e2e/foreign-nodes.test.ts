import {afterAll, describe, expect, it} from 'vitest'
import {createFixture} from '../helpers/e2e.js'
import {plainCells} from '../helpers/command-examples.js'
import {
  electPythonLeader,
  elixirNode,
  installPythonTables,
  keepPythonAlive,
  resignPythonLeader,
  runOnPython,
  startPythonQueue,
} from '../helpers/foreign-nodes.js'
import {insertJobRows} from '../helpers/job-rows.js'
import {migratedDatabase} from '../helpers/oban-db.js'
import {waitFor} from '../helpers/wait.js'

// A mixed cluster seen from the CLI: one real `oban start` process (ts-1), an Elixir node
// (elixir-1, its sonar pings) and a Python node (py-1: two queues in oban_producers, 5 jobs
// running, leading in oban_leaders), the foreign ones played by raw SQL and NOTIFY as each
// runtime behaves (test/helpers/foreign-nodes.ts). ts-1 records the pings it hears; the one-shot
// commands read them, and Python's tables, from the database.
const {url, pool} = await migratedDatabase('e2e_foreign_nodes')
const fixture = createFixture(url)
const stopElixir = elixirNode(pool, 'elixir-1')
afterAll(() => stopElixir())

await installPythonTables(pool)
const uuid = await startPythonQueue(pool, {node: 'py-1', queue: 'default', limit: 10})
const events = await startPythonQueue(pool, {node: 'py-1', queue: 'events', limit: 5, paused: true})
await runOnPython(pool, {node: 'py-1', uuid, queue: 'default'}, 5)
await electPythonLeader(pool, 'py-1')
afterAll(keepPythonAlive(pool, {node: 'py-1', uuids: [uuid, events]}))

const json = async (...args: string[]) => {
  const {code, stdout, stderr} = await fixture.cli(...args, '--json')
  expect(code, stderr).toBe(0)
  return JSON.parse(stdout) as Record<string, unknown>
}
const heard = async () => {
  const view = (await json('nodes')) as {nodes: {node: string}[]}
  return view.nodes.some((n) => n.node === 'elixir-1')
}

describe('every runtime seen from the CLI', {timeout: 180_000}, () => {
  it('oban start warns about the two leaders; oban nodes, status and queue list show every node', async () => {
    const node = await fixture.start('ts-1', {config: fixture.config({queues: {default: 10}})})
    await node.waitFor(/warn: two leaders: Python Oban node py-1 \(instance Oban\) leads in oban_leaders while ts-1/, {
      stream: 'stderr',
    })
    expect(node.stderr().match(/two leaders/g)).toHaveLength(1)
    await waitFor(heard, {timeoutMs: 60_000, intervalMs: 500, message: 'elixir-1 to be heard and recorded'})

    const nodes = await fixture.cli('nodes')
    expect(nodes.code).toBe(0)
    const [summary, head, ...rows] = plainCells(nodes.stdout)
    expect(summary).toEqual([expect.stringMatching(/^3 nodes: 1 oban-ts node, 1 elixir node, 1 python node on /)])
    expect(head).toEqual(['NODE', 'RUNTIME', 'INSTANCE', 'ROLE', 'QUEUES', 'RUNNING', 'SEEN'])
    expect(rows.slice(0, 3)).toEqual([
      ['py-1', 'python', 'Oban', 'leader', 'default 10, events 5 paused', '5', '<t>'],
      ['ts-1', 'oban-ts', 'Oban', 'leader', 'default 10', '0', '<t>'],
      ['elixir-1', 'elixir', 'unknown', 'follower', 'unknown', 'unknown', '<t>'],
    ])
    expect(nodes.stdout).toMatch(/elixir-1 \(elixir\): queues, limits and running jobs unknown/)
    expect(nodes.stdout).toMatch(
      /Two leaders: Python Oban node py-1 \(instance Oban\) leads in oban_leaders while ts-1/,
    )

    const view = (await json('nodes')) as {nodes: Record<string, unknown>[]; leaderConflicts: unknown[]}
    expect(view.nodes.map((n) => [n.node, n.runtime, n.instance, n.leader, n.queues])).toEqual([
      [
        'py-1',
        'python',
        'Oban',
        true,
        [
          {queue: 'default', limit: 10, paused: false, running: 5},
          {queue: 'events', limit: 5, paused: true, running: 0},
        ],
      ],
      ['ts-1', 'oban-ts', 'Oban', true, [{queue: 'default', limit: 10, paused: false, running: 0}]],
      ['elixir-1', 'elixir', null, false, null],
    ])
    expect(view.leaderConflicts).toHaveLength(1)

    const status = await fixture.cli('status')
    expect(status.code).toBe(0)
    expect(status.stdout).not.toMatch(/no node is running/)
    const cells = plainCells(status.stdout)
    expect(cells[0]).toEqual([expect.stringMatching(/^1 instance, 1 oban-ts node, 1 elixir node, 1 python node on /)])
    expect(cells).toContainEqual(['Instance Oban: 1 oban-ts node, 1 python node, leader ts-1'])
    expect(cells).toContainEqual(['py-1', 'python', 'leader', '-', '-', '<t>', '<t>', '-'])
    expect(cells).toContainEqual(['py-1', 'default', '10', '5', 'running'])
    expect(cells).toContainEqual(['py-1', 'events', '5', '0', 'paused'])
    expect(cells).toContainEqual(['elixir-1', 'elixir', 'follower', '-', '-', '-', '<t>', '-'])
    expect(status.stdout).toMatch(/Cost: both run Cron, Pruner and Lifeline/)

    const queues = await fixture.cli('queue', 'list')
    expect(plainCells(queues.stdout).slice(0, 3)).toEqual([
      ['QUEUE', 'AVAILABLE', 'SCHEDULED', 'EXECUTING', 'RETRYABLE', 'LATENCY', 'NODES'],
      ['default', '0', '0', '5', '0', '-', '2 nodes (1 python) · limit 20 · 5 running'],
      ['events', '0', '0', '0', '0', '-', '1 node (1 python) · limit 5 · 0 running · 1 paused'],
    ])
    expect(queues.stdout).toMatch(/elixir-1 \(elixir\): queues, limits and running jobs unknown/)
  })

  it('counts and names the jobs that can never run, with the command that makes them runnable', async () => {
    const ids = await insertJobRows(pool, [
      {queue: 'default', state: 'available', attempt: 2, maxAttempts: 2, scheduledIn: -5},
      {queue: 'spent', state: 'retryable', attempt: 1, maxAttempts: 1, scheduledIn: 60},
    ])
    const status = await fixture.cli('status')
    expect(status.stdout).toContain('2 jobs can never run (no attempt left: attempt >= max_attempts):')
    expect(plainCells(status.stdout)).toContainEqual(['default', 'available', '1', String(ids[0])])
    expect(status.stdout).toContain(`\`oban job retry ${ids[0]} ${ids[1]}\` gives them an attempt.`)
    expect(((await json('status')) as {unrunnable: unknown[]}).unrunnable).toEqual([
      {queue: 'default', state: 'available', count: 1, ids: [ids[0]]},
      {queue: 'spent', state: 'retryable', count: 1, ids: [ids[1]]},
    ])
    const listed = (await json('queue', 'list')) as unknown as {queue: string; unrunnable: unknown[]}[]
    expect(listed.find((q) => q.queue === 'spent')!.unrunnable).toEqual([{state: 'retryable', count: 1, ids: [ids[1]]}])

    const retry = await fixture.cli('job', 'retry', String(ids[0]), String(ids[1]))
    expect(retry.code, retry.stderr).toBe(0)
    expect(((await json('status')) as {unrunnable: unknown[]}).unrunnable).toEqual([])
  })

  it('stops naming two leaders once the Python leader resigns', async () => {
    await resignPythonLeader(pool, 'py-1')
    const status = await fixture.cli('status')
    expect(status.stdout).not.toMatch(/Two leaders/)
    expect(((await json('status')) as {leaderConflicts: unknown[]}).leaderConflicts).toEqual([])
  })
})
