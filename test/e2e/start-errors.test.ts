import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {createFixture, runOban} from '../helpers/e2e.js'
import {createTestDatabase} from '../helpers/db.js'
import {migratedDatabase} from '../helpers/oban-db.js'

const {url} = await migratedDatabase('e2e_start_errors')
const unmigrated = await createTestDatabase('e2e_unmigrated')
const fixture = createFixture(url)

/** Runs `oban start` that must fail: returns its exit code and its stderr, which must be one line. */
async function failedStart(args: string[], databaseUrl = url): Promise<{code: number | null; line: string}> {
  const {code, stdout, stderr} = await runOban(['start', '--node', 'bad-1', '--database-url', databaseUrl, ...args], {
    cwd: fixture.dir,
  })
  expect(stdout).toBe('')
  expect(stderr).not.toMatch(/^\s+at /m)
  const lines = stderr.split('\n').filter((line) => line.trim() !== '')
  expect(lines).toHaveLength(1)
  return {code, line: lines[0]!.trim()}
}

// Checks that must come before any connection are run against a server that is not there: the
// error shows they stopped the command before it tried to connect (or start anything).
const NOWHERE = 'postgres://postgres@127.0.0.1:1/nowhere'

describe('oban start refuses bad input in one line', {timeout: 60_000}, () => {
  it('an unknown config option, with a suggestion', async () => {
    const config = fixture.config({queuez: {default: 1}}, 'typo.json')
    const {code, line} = await failedStart(['--config', config])
    expect(line).toBe(`Error: ${config}: unknown option "queuez" (did you mean "queues"?)`)
    expect(code).toBe(2)
  })

  it('a worker path that does not exist, resolved next to the config file', async () => {
    const config = fixture.config({workers: ['./missing.ts'], queues: {default: 1}}, 'missing.json')
    const {code, line} = await failedStart(['--config', config], NOWHERE)
    expect(line).toBe(`Error: workers[0]: ${join(fixture.dir, 'conf', 'missing.ts')} does not exist`)
    expect(code).toBe(2)
  })

  it.each([
    ['default:0', '--queues: "default:0" has an invalid limit "0": expected an integer from 1 to 10,000'],
    ['default:x', '--queues: "default:x" has an invalid limit "x": expected an integer from 1 to 10,000'],
    [':3', '--queues: ":3" has no queue name; expected QUEUE:LIMIT, e.g. default:10'],
    ['default:10,events', '--queues: "events" has no limit; expected QUEUE:LIMIT, e.g. default:10'],
  ])('a bad --queues %s, before anything starts', async (spec, message) => {
    const {code, line} = await failedStart(['--config', fixture.config(), '--queues', spec], NOWHERE)
    expect(line).toBe(`Error: ${message}`)
    expect(code).toBe(2)
  })

  it('an unreachable --database-url', async () => {
    const {code, line} = await failedStart(['--config', fixture.config()], NOWHERE)
    expect(line).toBe(
      'Error: cannot connect to 127.0.0.1:1/nowhere: connection refused (is the server running and listening there?)',
    )
    expect(code).toBe(1)
  })

  it('an unmigrated database without --migrate, naming oban migrate', async () => {
    const {code, line} = await failedStart(['--config', fixture.config()], unmigrated)
    expect(line).toBe(
      'Error: the Oban tables are not installed in schema "public": run `oban migrate` (or start with --migrate)',
    )
    expect(code).toBe(1)
  })
})
