import pg from 'pg'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {fullChannel} from '../../src/db/names.js'
import {LIBRARY} from '../helpers/cli.js'
import {allInState, createFixture, createRunsTable, insertJobs, quick, resetTables, runOban} from '../helpers/e2e.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'

// Every number from the issue that overflowed (a queue limit PostgreSQL's bigint cannot hold,
// durations past Node's 2^31-1 ms timers) is refused where it enters, in a real process: one
// line, exit code 2, nothing sent. From another node (a raw NOTIFY) it is logged once and
// ignored, and the queue keeps running with its last good limit.

const {url, pool} = await migratedDatabase('e2e_ranges')
const fixture = createFixture(url)
beforeAll(() => createRunsTable(pool))
beforeEach(() => resetTables(pool))
const NOWHERE = 'postgres://x@127.0.0.1:1/none'
const TIMER = '24.8 days (2147483647ms, the longest timer Node runs)'

describe('values out of range', {timeout: 180_000}, () => {
  it.each([
    [
      ['queue', 'scale', 'q', '--limit', '99999999999999999999'],
      'scale needs a limit from 1 to 10,000 (jobs each node runs at once), got 100000000000000000000',
    ],
    [
      ['queue', 'scale', 'q', '--limit', '1000000000000'],
      'scale needs a limit from 1 to 10,000 (jobs each node runs at once), got 1000000000000',
    ],
    [
      ['queue', 'start', 'q', '--limit', '10001'],
      'start needs a limit from 1 to 10,000 (jobs each node runs at once), got 10001',
    ],
    [
      ['start', '--queues', 'default:10001', '--database-url', NOWHERE],
      '--queues: "default:10001" has an invalid limit "10001": expected an integer from 1 to 10,000',
    ],
    [
      ['breakdown', '--interval', '25d', '--database-url', NOWHERE],
      `--interval 25d: expected a duration of at most ${TIMER}, got "25d"`,
    ],
    [
      ['start', '--plugin', 'Lifeline:interval=25d', '--database-url', NOWHERE],
      `--plugin Lifeline: interval: expected a duration of at most ${TIMER}, got "25d"`,
    ],
    [
      ['plugin', 'pause', 'Breakdown', '--timeout', '99999999999d', '--database-url', NOWHERE],
      `--timeout "99999999999d": expected a duration of at most ${TIMER}, got "99999999999d"`,
    ],
    [
      ['job', 'insert', 'W', '--priority', '10', '--database-url', NOWHERE],
      'invalid job: priority: must be an integer from 0 to 9, got 10',
    ],
    [
      ['job', 'insert', 'W', '--queue', 'has space', '--database-url', NOWHERE],
      'invalid job: queue: must be a queue name of 1 to 127 characters, without spaces, quotes or backslashes, got "has space"',
    ],
    [
      ['queue', 'pause', 'has space', '--database-url', NOWHERE],
      'invalid queue name "has space": use 1 to 127 characters, without spaces, quotes or backslashes',
    ],
  ])('oban %j is refused in one line, exit code 2', async (argv, message) => {
    const result = await runOban(argv, {cwd: fixture.dir})
    expect(result.stderr).toBe(`    Error: ${message}\n`)
    expect(result.stdout).toBe('')
    expect(result.code).toBe(2)
  })

  it('a node logs a signal with an out-of-range limit once, ignores it and keeps fetching', async () => {
    const node = await fixture.start('range-1', {config: fixture.config({queues: {default: 2}})})
    const notify = (payload: string) => pool.query('SELECT pg_notify($1, $2)', ['public.oban_signal', payload])
    await notify('{"action":"scale","ident":"any","queue":"default","limit":1e308}')
    await node.waitFor(/ignored a signal: limit out of range: expected an integer from 1 to 10,000, got 1e\+308/, {
      stream: 'stderr',
    })
    await notify('{"action":"scale","ident":"any","queue":"default","limit":99999999999999999999}')
    await node.waitFor(/ignored a signal: limit out of range: .*got 99999999999999999999 /, {stream: 'stderr'})
    await notify('{"action":"start","ident":"any","queue":"has space","limit":1}')
    await node.waitFor(/ignored a signal: invalid queue name/, {stream: 'stderr'})

    const jobs = await insertJobs(
      pool,
      Array.from({length: 5}, () => quick()),
    )
    await eventually(
      () =>
        allInState(
          pool,
          jobs.map((j) => j.id),
          'completed',
        ),
      30_000,
      'jobs completed after the bad signals',
    )
    // Still limit 2, as configured, and each bad signal logged exactly once.
    const row = await pool.query<{queues: {queue: string; limit: number}[]}>(
      "SELECT queues FROM oban_ts_nodes WHERE node = 'range-1'",
    )
    expect(row.rows[0]?.queues.find((q) => q.queue === 'default')?.limit).toBe(2)
    expect(node.stderr().match(/got 1e\+308/g)).toHaveLength(1)
    expect(node.running).toBe(true)
  })

  it('a node refuses a control request whose duration argument is out of range, with an error reply', async () => {
    writeFileSync(join(fixture.dir, 'conf', 'wait.ts'), waitPlugin)
    await fixture.start('range-2', {
      config: fixture.config({queues: {default: 1}, plugins: ['./wait.ts']}, 'wait.json'),
    })
    const id = 'abcdef0123456789abcd'
    const client = new pg.Client({connectionString: url})
    client.on('error', () => {})
    await client.connect()
    try {
      const reply = new Promise<Record<string, unknown>>((resolve) =>
        client.on('notification', (message) => resolve(JSON.parse(message.payload ?? '{}') as Record<string, unknown>)),
      )
      await client.query(`LISTEN "${fullChannel('public', `ts_reply_${id}`)}"`)
      const request = {
        v: 1,
        id,
        instance: 'Oban',
        node: 'range-2',
        plugin: 'Wait',
        fn: 'wait',
        args: {delay: '99999999999d'},
        reply: `ts_reply_${id}`,
      }
      await pool.query('SELECT pg_notify($1, $2)', [fullChannel('public', 'ts_control'), JSON.stringify(request)])
      expect(await reply).toMatchObject({
        ok: false,
        node: 'range-2',
        error: {
          code: 'plugin_argument_invalid',
          message: expect.stringMatching(/delay: expected a duration of at most 24\.8 days/) as unknown,
        },
      })
    } finally {
      await client.end()
    }
  })
})

const waitPlugin = `import {definePlugin, PluginBase} from ${JSON.stringify(LIBRARY)}

class Wait extends PluginBase {
  override start(): void {}
}

export default definePlugin({
  name: 'Wait',
  description: 'Waits',
  create: (context) => new Wait(context, undefined),
  functions: {
    wait: {
      description: 'Waits for delay',
      args: [{name: 'delay', description: 'How long', type: 'duration', required: true}],
      run: async (_service, args) => {
        await new Promise((resolve) => setTimeout(resolve, args.delay as number))
        return {waited: args.delay}
      },
    },
  },
})
`
