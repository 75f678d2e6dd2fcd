import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {afterAll, describe, expect, it} from 'vitest'

// Every mistake on the command line is one line saying what was wrong and how to fix it, with
// exit code 2, and is found before anything connects (the URL points at a closed port).
const root = fileURLToPath(new URL('../..', import.meta.url))
const NOWHERE = 'postgres://x@127.0.0.1:1/none'
const dir = mkdtempSync(join(tmpdir(), 'oban-usage-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

async function usageError(argv: string[]): Promise<{message: string; exit: number | undefined}> {
  const {error} = await runCommand(argv, {root})
  expect(error, `oban ${argv.join(' ')} should fail`).toBeDefined()
  expect(error!.message).not.toContain('\n')
  return {message: error!.message, exit: error!.oclif?.exit}
}

describe('usage errors', () => {
  it.each([
    [['job', 'list', '--limit', 'abc', '--database-url', NOWHERE], '--limit: expected an integer, got "abc"'],
    [
      ['job', 'insert', 'W', '--priority', 'abc', '--database-url', NOWHERE],
      '--priority: expected an integer, got "abc"',
    ],
    [['cron', 'next', '* * * * *', '--count', '0'], '--count: expected an integer of at least 1, got "0"'],
    [
      ['migrate', 'down', '--database-url', NOWHERE],
      "give --to N or --version N: --to N leaves the schema at version N (0 removes the Oban tables); --version N is Oban's down(version: N), which undoes N and above and leaves N - 1",
    ],
    [['job', 'insert', '--database-url', NOWHERE], 'missing argument WORKER: see `oban job insert --help`'],
    [
      ['job', 'list', '--limt', '3', '--database-url', NOWHERE],
      'unknown flag --limt (did you mean --limit?): see `oban job list --help` for the flags it takes',
    ],
    [['job', 'show', '1', '2', '--database-url', NOWHERE], 'unexpected argument "2": see `oban job show --help`'],
    [['jobz'], 'unknown command "oban jobz" (did you mean "oban job"?): run `oban --help` for the commands'],
    [
      ['jobs', 'list'],
      'unknown command "oban jobs list" (did you mean "oban job list"?): run `oban --help` for the commands',
    ],
    [['job', 'list', '--database-url'], 'Flag --database-url expects a value: see `oban job list --help`'],
    [
      ['job', 'insert', 'W', '--schedule-in', '-10s', '--database-url', NOWHERE],
      'invalid job: schedule-in: must be a delay from now, such as 10s, 5m or 2h, got -10s',
    ],
    [
      ['job', 'insert', 'W', '--schedule-in', '99999999999d', '--database-url', NOWHERE],
      'invalid job: scheduleIn: must end before the year 10000, got "99999999999d"',
    ],
  ])('oban %j', async (argv, expected) => {
    const {message, exit} = await usageError(argv)
    expect(message).toBe(expected)
    expect(exit).toBe(2)
  })

  it('refuses a config whose default export is null, naming the file', async () => {
    const file = join(dir, 'null.config.ts')
    writeFileSync(file, 'export default null\n')
    const {message, exit} = await usageError(['start', '--config', file, '--database-url', NOWHERE])
    expect(message).toBe(`${file}: the config must be an object, got null: export default {queues: {default: 10}}`)
    expect(exit).toBe(2)
  })
})
