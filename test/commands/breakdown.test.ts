import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'
import BreakdownCommand from '../../commands/breakdown.js'
import {runBreakdown} from '../../src/cli/breakdown/run.js'
import {findPluginHandle} from '../../src/plugin/lookup.js'
import {eventually, insertRaw, migratedDatabase} from '../helpers/oban-db.js'
import {Breakdown} from '../../plugins/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_breakdown')

const breakdown = (...argv: string[]) => runCommand(['breakdown', ...argv, '--database-url', url], {root})
const exitOf = (error: unknown) => (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit

// Several queues and states; the counts the table must show.
await insertRaw(pool, [
  ...Array.from({length: 3}, () => ({queue: 'default'})),
  {queue: 'default', state: 'executing', attempt: 1},
  ...Array.from({length: 5}, () => ({queue: 'default', state: 'completed', attempt: 1})),
  {queue: 'events', state: 'scheduled', scheduledIn: 3600},
  {queue: 'events', state: 'retryable', attempt: 1, scheduledIn: 3600},
  ...Array.from({length: 2}, () => ({queue: 'events', state: 'discarded', attempt: 20})),
  {queue: 'mailers', state: 'cancelled'},
])

describe('oban breakdown', () => {
  it('--once prints one table whose counts are the jobs in the database, and exits 0', async () => {
    const {stdout, error} = await breakdown('--once')
    expect(error).toBeUndefined()
    expect(stdout).toBe(
      [
        '┌────────────┬───────────┬───────┐',
        '│ queue      │ state     │ count │',
        '├────────────┼───────────┼───────┤',
        '│ default    │ available │     3 │',
        '│            │ executing │     1 │',
        '│            │ completed │     5 │',
        '│            │ total     │     9 │',
        '│ events     │ scheduled │     1 │',
        '│            │ retryable │     1 │',
        '│            │ discarded │     2 │',
        '│            │ total     │     4 │',
        '│ mailers    │ cancelled │     1 │',
        '│ all queues │ total     │    14 │',
        '└────────────┴───────────┴───────┘',
        '',
      ].join('\n'),
    )
  })

  it('--once --json returns one object: the rows, the total, the instance', async () => {
    const {stdout, result, error} = await breakdown('--once', '--json', '--queue', 'events', '--instance', 'Json')
    expect(error).toBeUndefined()
    const expected = {
      instance: 'Json',
      status: 'running',
      rows: [
        {queue: 'events', state: 'scheduled', count: 1},
        {queue: 'events', state: 'retryable', count: 1},
        {queue: 'events', state: 'discarded', count: 2},
      ],
      total: {count: 4, approximate: false},
    }
    expect(result).toMatchObject(expected)
    expect(JSON.parse(stdout)).toMatchObject(expected)
    expect(Date.parse((result as {time: string}).time)).not.toBeNaN()
  })

  it('--pivot and --zeros shape the table', async () => {
    const {stdout} = await breakdown('--once', '--pivot', '--queue', 'mailers', '--queue', 'none', '--zeros')
    expect(stdout.split('\n').slice(1, 5)).toEqual([
      '│ queue      │ available │ suspended │ scheduled │ executing │ retryable │ completed │ discarded │ cancelled │ total │',
      '├────────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────────┼───────┤',
      '│ mailers    │         0 │         0 │         0 │         0 │         0 │         0 │         0 │         1 │     1 │',
      '│ none       │         0 │         0 │         0 │         0 │         0 │         0 │         0 │         0 │     0 │',
    ])
  })

  // The live examples run until Ctrl-C: here they count once (the flags are the examples' own).
  it.each(BreakdownCommand.examples.map((example) => [String(example)]))('runs the example %s', async (example) => {
    const argv = String(example)
      .replace('<%= config.bin %> <%= command.id %>', '')
      .replace('> breakdown.ndjson', '')
      .split(' ')
      .filter(Boolean)
    const {error} = await breakdown(...argv, ...(argv.includes('--once') ? [] : ['--once']))
    expect(error).toBeUndefined()
  })

  it.each([
    ['0', '--interval 0: expected a duration of at least 100ms, got "0"'],
    [
      'abc',
      '--interval abc: expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "abc"',
    ],
    ['50ms', '--interval 50ms: expected a duration of at least 100ms, got "50ms"'],
  ])('refuses --interval %s in one clear line, exit 2, before connecting', async (value, message) => {
    const {error, stdout} = await runCommand(
      ['breakdown', '--interval', value, '--database-url', 'postgres://postgres@127.0.0.1:1/nowhere'],
      {root},
    )
    expect(error?.message).toBe(message)
    expect(exitOf(error)).toBe(2)
    expect(stdout).toBe('')
  })
})

describe('runBreakdown off a terminal', () => {
  it('prints a plain table with a timestamp header per refresh, and a line when paused', async () => {
    const lines: string[] = []
    const stop = new AbortController()
    const run = runBreakdown({
      plugin: Breakdown,
      interval: '200ms',
      instance: 'Plain',
      queues: ['later'],
      color: false,
      interactive: false,
      databaseUrl: url,
      write: (text) => lines.push(text),
      signal: stop.signal,
    })
    try {
      await eventually(() => lines.length > 0, 20_000)
      expect(lines[0]).toMatch(
        /^Breakdown of Plain at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, every 200ms\nNo jobs in queue later\.$/,
      )
      await insertRaw(pool, [{queue: 'later'}, {queue: 'later'}])
      await eventually(() => lines.some((l) => /│ later +│ available +│ +2 │/.test(l)), 20_000)
      // A pause through the plugin's handle (what `oban plugin pause` reaches) shows up as a line.
      await findPluginHandle('Plain', 'Breakdown').call('pause')
      await eventually(() => lines.includes('Breakdown of Plain: paused (no counts until resumed)'), 20_000)
      // No escape codes anywhere.
      expect(lines.join('\n')).not.toContain('\u001B')
    } finally {
      stop.abort()
      await run
    }
    await pool.query(`DELETE FROM oban_jobs WHERE queue = 'later'`)
  })

  it('streams NDJSON with --json', async () => {
    const lines: string[] = []
    const stop = new AbortController()
    const run = runBreakdown({
      plugin: Breakdown,
      interval: '150ms',
      instance: 'Ndjson',
      queues: ['mailers'],
      json: true,
      color: false,
      interactive: false,
      databaseUrl: url,
      write: (text) => lines.push(text),
      signal: stop.signal,
    })
    try {
      await eventually(() => lines.length >= 2, 20_000)
    } finally {
      stop.abort()
      await run
    }
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({
        instance: 'Ndjson',
        status: 'running',
        rows: [{queue: 'mailers', state: 'cancelled', count: 1}],
        total: {count: 1, approximate: false},
      })
    }
  })
})
