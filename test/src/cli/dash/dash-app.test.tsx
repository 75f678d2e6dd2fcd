import {EventEmitter} from 'node:events'
import {Chalk} from 'chalk'
import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {describeDatabase} from '../../../../src/db/connection-url.js'
import {DashApp} from '../../../../src/cli/dash/dash-app.js'
import {DashLoader} from '../../../../src/cli/dash/loader.js'
import {insertRaw, migratedDatabase, readJob} from '../../../helpers/oban-db.js'

// The dash's screen over a real database (its loader runs the library's operator functions):
// what each tab shows, the keys, and a job action with its confirmation.
const {url, pool} = await migratedDatabase('cli_dash_app')
const [available1, , , retryableId] = await insertRaw(pool, [
  {queue: 'default', args: {n: 1}},
  {queue: 'default', args: {n: 2}},
  {queue: 'default', args: {email: 'ann@example.com'}},
  {queue: 'events', state: 'retryable', attempt: 1, scheduledIn: 600},
])
const [discarded] = await insertRaw(pool, [{queue: 'events', state: 'discarded', attempt: 20, worker: 'Mail.Send'}])

afterEach(cleanup)

/** A terminal of a given size (the app reads columns and rows, and listens for resizes). */
function terminalOf(columns: number, rows: number) {
  return Object.assign(new EventEmitter(), {columns, rows}) as unknown as NodeJS.WriteStream
}

function app(options: {readonly?: boolean; columns?: number; rows?: number} = {}) {
  const loader = new DashLoader(pool, {url, prefix: 'public', instance: 'Oban', location: describeDatabase(url)})
  const onQuit = vi.fn()
  const view = render(
    <DashApp
      loader={loader}
      instance="Oban"
      intervalMs={60_000}
      readonly={options.readonly ?? false}
      colors={new Chalk({level: 0})}
      onQuit={onQuit}
      terminal={terminalOf(options.columns ?? 80, options.rows ?? 24)}
    />,
  )
  const frame = () => view.frames.filter((f) => f !== '\n').at(-1) ?? ''
  const until = async (check: RegExp | ((text: string) => boolean)) => {
    const test = typeof check === 'function' ? check : (text: string) => check.test(text)
    for (let i = 0; i < 500; i++) {
      if (test(frame())) return frame()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`frame never matched ${String(check)}:\n${frame()}`)
  }
  const press = async (key: string, check: RegExp | ((text: string) => boolean)) => {
    view.stdin.write(key)
    return until(check)
  }
  return {...view, frame, until, press, onQuit}
}

const RIGHT = '\u001B[C'
const ESC = '\u001B'

describe('DashApp', () => {
  it('fills the terminal: a header, the queues with their counts, a message line and the keys', async () => {
    const {until} = app()
    const screen = await until(/> default +3 +0 +0/)
    const lines = screen.split('\n')
    expect(lines[0]).toMatch(/^oban dash \[1 Queues\] 2 Nodes {2}3 Jobs {2}· Oban · \d\d:\d\d:\d\d \(\d+ms\)$/)
    expect(screen).toMatch(/^ {2}events +0 +0 +1 +- +-$/m)
    expect(lines.at(-1)).toBe('↑↓ move · Enter jobs · p pause · r resume · s scale · x stop · ? help · q quit')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
  })

  it("moves with j/k, opens a queue's jobs with Enter, filters by state with → and searches args", async () => {
    const {until, press} = app()
    await until(/> default/)
    await press('j', /> events/)
    await press('k', /> default/)
    const jobs = await press('\r', /state all · queue default · worker \* · tag \* · page 1 · by id ↓/)
    expect(jobs).toMatch(new RegExp(`^> +${Number(available1) + 2} +available +default +Test\\.Worker`, 'm'))
    await press(RIGHT, /state available · queue default .* by scheduled_at ↑/)
    await press('/', /Search args and meta/)
    const found = await press('ann\r', /search "ann"/)
    await until((s) => s.split('\n').filter((line) => /Test\.Worker/.test(line)).length === 1)
    expect(found).toMatch(/state available · queue default/)
    await press('0', /state all · queue \* · worker \* · tag \*/)
  })

  it('shows a job in full and goes back with Esc', async () => {
    const {until, press} = app({columns: 100, rows: 40})
    await until(/> default/)
    await press('3', /by id ↓/)
    await until(new RegExp(`^> +${discarded} +discarded`, 'm'))
    const detail = await press('\r', new RegExp(`^Job ${discarded} {2}discarded {2}Mail\\.Send`, 'm'))
    expect(detail).toMatch(/^queue events · attempt 20 of 20 · priority 0$/m)
    expect(detail).toMatch(/^ {2}discarded {2}-$/m)
    expect(detail).toMatch(/^Errors \(0\)$/m)
    await press(ESC, /by id ↓/)
  })

  it('retries the job under the cursor after a confirmation with the counts; n changes nothing', async () => {
    const {until, press} = app({columns: 100, rows: 40})
    await until(/> default/)
    await press('3', new RegExp(`^> +${discarded} +discarded`, 'm'))
    await press('R', new RegExp(`Retry 1 job matching ids ${discarded} \\(discarded 1\\)\\?`))
    await press('n', /Aborted: nothing was retried\./)
    expect((await readJob(pool, discarded!)).state).toBe('discarded')
    await press('R', /Retry 1 job matching/)
    await press('y', /Retried 1 job \(discarded 1\)\./)
    expect((await readJob(pool, discarded!)).state).toBe('available')
    // Marked jobs are acted on together: space marks and moves down.
    await press(' ', /1 marked/)
    await press(' ', /2 marked/)
    await press('C', /Cancel 2 jobs matching ids/)
    await press(ESC, /Aborted: nothing was cancelled\./)
    expect((await readJob(pool, retryableId!)).state).toBe('retryable')
  })

  it('deletes the marked jobs after a confirmation with the counts', async () => {
    const ids = await insertRaw(pool, [
      {queue: 'trash', args: {n: 1}},
      {queue: 'trash', args: {n: 2}},
    ])
    const {until, press} = app({columns: 100, rows: 40})
    await until(/> default/)
    await press('3', /by id ↓/)
    await press('Q', /Filter by queue/)
    await press('trash\r', new RegExp(`queue trash .*\\n[^]*^> +${ids.at(-1)} `, 'm'))
    await press(' ', /1 marked/)
    await press(' ', /2 marked/)
    await press('D', /Delete 2 jobs matching ids .*\(available 2\)\?/)
    await press('y', /Deleted 2 jobs \(available 2\)\./)
    const {rows} = await pool.query<{n: number}>(
      'SELECT count(*)::int AS n FROM oban_jobs WHERE id = ANY($1::bigint[])',
      [ids],
    )
    expect(rows[0]!.n).toBe(0)
  })

  it('pages 50 jobs at a time: n and b, with the page number in the filter line', async () => {
    const ids = await insertRaw(
      pool,
      Array.from({length: 55}, (_, n) => ({queue: 'paging', args: {n}})),
    )
    const {until, press} = app({columns: 100, rows: 40})
    await until(/> default/)
    await press('3', /by id ↓/)
    await press('Q', /Filter by queue/)
    await press(
      'paging\r',
      new RegExp(`queue paging · worker \\* · tag \\* · page 1\\+ .*\\n[^]*^> +${ids.at(-1)} `, 'm'),
    )
    const second = await press('n', /page 2 · by id ↓/)
    expect(second).toMatch(new RegExp(`^> +${ids[4]} `, 'm'))
    expect(second.split('\n').filter((line) => /paging/.test(line) && /Test\.Worker/.test(line))).toHaveLength(5)
    await press('n', /page 2 · by id ↓/)
    await press('b', new RegExp(`page 1\\+ .*\\n[^]*^> +${ids.at(-1)} `, 'm'))
    await pool.query(`DELETE FROM oban_jobs WHERE queue = 'paging'`)
  })

  it('scale asks for a limit and refuses what is not one; ? shows the keys; q quits', async () => {
    const {until, press, onQuit} = app()
    await until(/> default/)
    await press('s', /Scale queue default/)
    await press('0\r', /"0" is not a limit: give a whole number from 1 to 1000000/)
    await press(ESC, (s) => !/Scale queue/.test(s))
    await press('p', /Sent pause for queue default, but no live oban-ts node runs it/)
    await press('?', /^Everywhere$/m)
    await press('x', /^> default/m)
    await press('q', () => onQuit.mock.calls.length === 1)
  })

  it('--readonly hides every action: no action keys, and they do nothing', async () => {
    const {until, press, frame} = app({readonly: true})
    await until(/> default/)
    expect(frame().split('\n').at(-1)).toBe('↑↓ move · Enter jobs · ? help · q quit')
    await press('x', /> default/)
    expect(frame()).not.toMatch(/Stop queue/)
    await press('3', /by id ↓/)
    expect(frame().split('\n').at(-1)).not.toMatch(/mark|act/)
    await press('R', /by id ↓/)
    expect(frame()).not.toMatch(/Retry/)
    await press('?', /^Jobs$/m)
    expect(frame()).not.toMatch(/retry, cancel, delete/)
  })
})
