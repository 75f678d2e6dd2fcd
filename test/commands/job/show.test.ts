import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import {migrateUp} from '../../../src/db/migrations/index.js'
import {exitOf, runArgv, takeExitCode, withoutRelativeTimes} from '../../helpers/command-examples.js'
import {insertEveryState} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_job_show')
let ids: Record<string, string>
beforeAll(async () => {
  ids = await insertEveryState(pool)
  await migrateUp(pool, {prefix: 'other'})
})

const show = (...argv: string[]) => runArgv(root, ['job', 'show', ...argv, '--database-url', url])
const stamp = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC/g

describe('oban job show', () => {
  it('prints every field, args and meta pretty-printed, and each error in full, newest last', async () => {
    const {stdout, error} = await show(String(ids.retryable))
    expect(error).toBeUndefined()
    expect(withoutRelativeTimes(stdout).replace(stamp, '<stamp>')).toBe(
      [
        `Job ${ids.retryable} MyApp.Sync retryable`,
        `id            ${ids.retryable}`,
        'state         retryable',
        'queue         default',
        'worker        MyApp.Sync',
        'attempt       2 of 20',
        'priority      0',
        'tags          -',
        'inserted at   <stamp> (<t>)',
        'scheduled at  <stamp> (<t>)',
        'attempted at  <stamp> (<t>)',
        'attempted by  -',
        'completed at  -',
        'discarded at  -',
        'cancelled at  -',
        '',
        'args',
        '  {',
        '    "account": 7',
        '  }',
        '',
        'meta',
        '  {',
        '    "source": "api"',
        '  }',
        '',
        'errors (2, newest last)',
        '  attempt 1 <stamp> (<t>)',
        '    Error: timeout',
        '        at sync (sync.ts:1:1)',
        '',
        '  attempt 2 <stamp> (<t>)',
        '    Error: refused',
        '',
      ].join('\n'),
    )
  })

  it('shows who attempted an executing job, and no errors', async () => {
    const {stdout} = await show(String(ids.executing))
    expect(stdout).toContain('attempted by  web-1 00000000-0000-4000-8000-000000000001\n')
    expect(stdout).toMatch(/\nerrors\n {2}none\n$/)
  })

  it('returns the job with --json', async () => {
    const {stdout, result} = await show(String(ids.discarded), '--json')
    expect(JSON.parse(stdout)).toEqual(result)
    expect(result).toMatchObject({
      id: Number(ids.discarded),
      state: 'discarded',
      attempt: 3,
      maxAttempts: 3,
      errors: [{attempt: 3, error: 'Error: gone'}],
    })
  })

  it('fails with exit code 1 for an unknown id, naming the schema when not public', async () => {
    const missing = await show('999999')
    expect(missing.error?.message).toBe('no job with id 999999')
    expect(exitOf(missing.error)).toBe(1)
    const elsewhere = await show(String(ids.retryable), '--prefix', 'other')
    expect(elsewhere.error?.message).toBe(`no job with id ${ids.retryable} in schema "other"`)
    takeExitCode()
    const json = await show('999999', '--json')
    expect(JSON.parse(json.stdout)).toEqual({error: {code: 'job_not_found', message: 'no job with id 999999'}})
    expect(takeExitCode()).toBe(1)
  })

  it('refuses an id that is not a positive integer with exit code 2', async () => {
    for (const id of ['abc', '0', '1.5', '-3']) {
      const {error} = await show(id)
      if (id === '-3') {
        // oclif reads -3 as a flag.
        expect(exitOf(error)).toBe(2)
        continue
      }
      expect(error?.message).toBe(
        `invalid job id "${id}": ids are positive integers no larger than 9223372036854775807`,
      )
      expect(exitOf(error)).toBe(2)
    }
    const {error} = await show()
    expect(error?.message).toBe('missing argument ID: see `oban job show --help`')
    expect(exitOf(error)).toBe(2)
  })

  it('says clearly when the database has no Oban tables', async () => {
    const {error} = await show('1', '--prefix', 'nowhere')
    expect(error?.message).toBe(
      'the Oban tables are not installed in schema "nowhere": run `oban migrate --prefix nowhere` (or start with --migrate)',
    )
    expect(exitOf(error)).toBe(1)
  })
})
