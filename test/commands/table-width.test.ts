import {stripVTControlCharacters} from 'node:util'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {beforeAll, describe, expect, it} from 'vitest'
import {insertJobRows} from '../helpers/job-rows.js'
import {migratedDatabase} from '../helpers/oban-db.js'
import {hasScript, obanOnTerminal} from '../helpers/pty.js'

// At 80 columns `oban job list` and `oban queue list` fit the terminal (the rightmost columns cut
// with …), --wide keeps every cell whole, and piped output is never cut to a width.
const root = fileURLToPath(new URL('../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_table_width')
const WORKER = 'MyApp.Workers.Notifications.SendWeeklyDigest'
const QUEUE = 'notifications_weekly_digest'

beforeAll(async () => {
  await insertJobRows(pool, [
    {state: 'retryable', worker: WORKER, queue: QUEUE, args: {account: 7, locale: 'en-GB', list: 'x'.repeat(40)}},
    {state: 'available', worker: WORKER, queue: QUEUE, args: {account: 8}},
  ])
})

const widest = (screen: string) =>
  Math.max(...screen.split('\n').map((line) => stripVTControlCharacters(line).replace(/\r/g, '').length))

describe.skipIf(!hasScript)('tables on an 80-column terminal', {timeout: 60_000}, () => {
  it.each([
    ['job', 'list'],
    ['queue', 'list'],
  ])('oban %s %s fits, and --wide keeps every cell', async (...command) => {
    const fitted = await obanOnTerminal([...command, '--database-url', url], {cols: 80})
    expect(fitted.code).toBe(0)
    expect(widest(fitted.screen)).toBeLessThanOrEqual(80)
    expect(fitted.screen).toContain('…')
    const wide = await obanOnTerminal([...command, '--wide', '--database-url', url], {cols: 80})
    expect(wide.code).toBe(0)
    expect(widest(wide.screen)).toBeGreaterThan(80)
    expect(wide.screen).toContain(QUEUE)
    expect(wide.screen).not.toContain('…')
  })
})

describe('piped tables', () => {
  it.each([
    ['job', 'list'],
    ['queue', 'list'],
  ])('oban %s %s stays whole', async (...command) => {
    const {stdout, error} = await runCommand([...command, '--database-url', url], {root})
    expect(error).toBeUndefined()
    expect(stdout).toContain(QUEUE)
    expect(widest(stdout)).toBeGreaterThan(80)
  })
})
