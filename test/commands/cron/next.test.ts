import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import CronNext from '../../../commands/cron/next.js'
import {exampleArgv, exitOf, runArgv, takeExitCode} from '../../helpers/command-examples.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const run = (...argv: string[]) => runArgv(root, ['cron', 'next', ...argv])

describe('oban cron next', () => {
  it('lists the next runs in a timezone, the local time with its offset, then UTC', async () => {
    const {stdout, error} = await run(
      '0 9 * * MON-FRI',
      '--timezone',
      'Europe/Paris',
      '--count',
      '5',
      '--from',
      '2024-03-28T12:00:00Z',
    )
    expect(error).toBeUndefined()
    // Paris moves to summer time on Sunday 2024-03-31: 09:00 is 08:00Z before, 07:00Z after.
    expect(stdout).toBe(
      [
        'Fri 2024-03-29 09:00 +01:00  2024-03-29T08:00:00Z',
        'Mon 2024-04-01 09:00 +02:00  2024-04-01T07:00:00Z',
        'Tue 2024-04-02 09:00 +02:00  2024-04-02T07:00:00Z',
        'Wed 2024-04-03 09:00 +02:00  2024-04-03T07:00:00Z',
        'Thu 2024-04-04 09:00 +02:00  2024-04-04T07:00:00Z',
        '',
      ].join('\n'),
    )
  })

  it('shows a local time repeated by a DST change twice, and skips one that does not exist', async () => {
    const back = await run('30 2 * * *', '-z', 'Europe/Paris', '--from', '2024-10-26T00:00:00Z', '-n', '3')
    expect(back.stdout).toBe(
      [
        'Sat 2024-10-26 02:30 +02:00  2024-10-26T00:30:00Z',
        'Sun 2024-10-27 02:30 +02:00  2024-10-27T00:30:00Z',
        'Sun 2024-10-27 02:30 +01:00  2024-10-27T01:30:00Z',
        '',
      ].join('\n'),
    )
    const forward = await run('30 2 * * *', '-z', 'America/New_York', '--from', '2024-03-09T00:00:00Z', '-n', '2')
    expect(forward.stdout).toBe(
      [
        'Sat 2024-03-09 02:30 -05:00  2024-03-09T07:30:00Z',
        'Mon 2024-03-11 02:30 -04:00  2024-03-11T06:30:00Z',
        '',
      ].join('\n'),
    )
  })

  it('returns JSON with --json', async () => {
    const {stdout, result} = await run('0 0 29 2 *', '--count', '2', '--from', '2024-01-01T00:00:00Z', '--json')
    const expected = {
      expression: '0 0 29 2 *',
      timezone: 'Etc/UTC',
      reboot: false,
      runs: [
        {at: '2024-02-29T00:00:00.000Z', local: '2024-02-29T00:00:00Z'},
        {at: '2028-02-29T00:00:00.000Z', local: '2028-02-29T00:00:00Z'},
      ],
    }
    expect(result).toEqual(expected)
    expect(JSON.parse(stdout)).toEqual(expected)
  })

  it('explains @reboot, which has no schedule', async () => {
    const {stdout} = await run('@reboot')
    expect(stdout).toBe(
      '@reboot has no schedule: it fires once each time a node starts leading its instance (Cron plugin).\n',
    )
  })

  it.each([
    [
      ['0 9 * * mon'],
      'invalid cron expression "0 9 * * mon": unrecognized weekday part "mon" (month and weekday names are upper case: JAN, MON)',
    ],
    [['0 0 30 2 *'], 'invalid cron expression "0 0 30 2 *": no day in "30" can occur in months "2"'],
    [
      ['0 0 9 * * 1'],
      'invalid cron expression "0 0 9 * * 1": expected 5 fields (minute hour day month weekday), got 6',
    ],
    [
      ['* * * * *', '-z', 'Mars/Base'],
      'unknown timezone "Mars/Base": use an IANA name such as Etc/UTC, Europe/Paris or America/New_York',
    ],
    [
      ['* * * * *', '--from', 'yesterday'],
      '--from: expected an ISO 8601 time such as 2024-06-01T00:00:00Z, got yesterday',
    ],
  ])('refuses %j in one line, exit 2', async (argv, message) => {
    const {error, stdout} = await run(...argv)
    expect(error?.message).toBe(message)
    expect(exitOf(error)).toBe(2)
    expect(stdout).toBe('')
  })

  it('reports an invalid expression as a JSON error with --json', async () => {
    takeExitCode()
    const {stdout} = await run('61 * * * *', '--json')
    expect(JSON.parse(stdout)).toEqual({
      error: {
        code: 'cron_expression_invalid',
        message: 'invalid cron expression "61 * * * *": minute field "61" is out of range 0-59',
      },
    })
    expect(takeExitCode()).toBe(2)
  })

  it('runs every example of its help', async () => {
    for (const example of CronNext.examples) {
      takeExitCode()
      const {error, stdout} = await runArgv(root, exampleArgv('cron next', example))
      expect(error, example).toBeUndefined()
      expect(takeExitCode(), example).toBeUndefined()
      if (example.includes('--json')) expect(() => JSON.parse(stdout) as unknown, example).not.toThrow()
      else expect(stdout.split('\n').filter(Boolean).length, example).toBeGreaterThan(0)
    }
  })
})
