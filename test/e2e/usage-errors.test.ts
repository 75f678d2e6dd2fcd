import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {killChildrenAfterEach, runOban} from '../helpers/e2e.js'

// What the installed `oban` prints for a mistake: one line with the same prefix whether oclif or
// this project found it, exit code 2 for usage errors, never the usage text or a stack trace.
killChildrenAfterEach()
const cwd = mkdtempSync(join(tmpdir(), 'oban-usage-e2e-'))
afterAll(() => rmSync(cwd, {recursive: true, force: true}))
const NOWHERE = 'postgres://x@127.0.0.1:1/none'

describe('errors in a real process', {timeout: 60_000}, () => {
  it.each([
    [['job', 'list', '--limit', 'abc', '--database-url', NOWHERE], 2, '--limit: expected an integer, got "abc"'],
    [
      ['job', 'list', '--bogus', '--database-url', NOWHERE],
      2,
      'unknown flag --bogus: see `oban job list --help` for the flags it takes',
    ],
    [
      ['jobs', 'list'],
      2,
      'unknown command "oban jobs list" (did you mean "oban job list"?): run `oban --help` for the commands',
    ],
    // runCommand drops an empty argument, so this one needs a real process.
    [['start', '--node', '', '--database-url', NOWHERE], 2, '--node is empty: give a name, e.g. --node worker-1'],
    [
      ['queue', 'pause', 'default', '--node', '', '--database-url', NOWHERE],
      2,
      '--node is empty: give a name, e.g. --node worker-1',
    ],
    [
      ['queue', 'scale', 'q', '--limit', '0'],
      2,
      'scale needs a limit from 1 to 10,000 (jobs each node runs at once), got 0',
    ],
    [
      ['job', 'list', '--database-url', NOWHERE],
      1,
      'cannot connect to 127.0.0.1:1/none: connection refused (is the server running and listening there?)',
    ],
  ])('oban %j', async (argv, code, message) => {
    const result = await runOban(argv, {cwd})
    expect(result.stderr).toBe(`    Error: ${message}\n`)
    expect(result.stdout).toBe('')
    expect(result.code).toBe(code)
  })
})
