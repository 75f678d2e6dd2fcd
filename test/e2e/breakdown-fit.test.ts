import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LIBRARY} from '../helpers/cli.js'
import {createFixture} from '../helpers/e2e.js'
import {insertRaw, migratedDatabase} from '../helpers/oban-db.js'
import {hasTmux, tmuxTerminal, type Pane} from '../helpers/tmux.js'

// The live Breakdown in real terminals (tmux) at 120x40 and 80x24, with 20 queues (more table
// rows than either screen holds) and a log line every 100 ms (a plugin alternating the
// instance's logger, on stderr, and console.log, on stdout): the log stays readable above the
// table, the frame fits the screen, and a resize sequence leaves no stale line. Every screen is
// checked for the header, the latest log lines and nothing else than log, frame and blank.

const {url, pool} = await migratedDatabase('e2e_breakdown_fit')
const fixture = createFixture(url)
const terminal = tmuxTerminal()

writeFileSync(
  join(fixture.dir, 'conf', 'ticker.ts'),
  `import {definePlugin, PluginBase} from ${JSON.stringify(LIBRARY)}

class Ticker extends PluginBase {
  private n = 0
  override start(): void {
    this.every(100, () => {
      const n = ++this.n
      if (n % 2 === 0) console.log('tick ' + n)
      else this.logger.info('tick ' + n)
    })
  }
}

export default definePlugin({name: 'Ticker', create: (context) => new Ticker(context, undefined)})
`,
)

const QUEUES = Array.from({length: 20}, (_, i) => `q${String(i + 1).padStart(2, '0')}`)
const config = fixture.config(
  {
    // Paused: the jobs stay as inserted, so the table does not change under the checks.
    queues: Object.fromEntries(QUEUES.map((queue) => [queue, {limit: 1, paused: true}])),
    plugins: [['Breakdown', {interval: '500ms'}], './ticker.ts'],
  },
  'fit.json',
)
// Two states per queue: 20 x (2 rows + total) + the grand total.
await insertRaw(
  pool,
  QUEUES.flatMap((queue) => [
    {queue, state: 'scheduled', scheduledIn: 3_600},
    {queue, state: 'completed', attempt: 1},
  ]),
)

const isHeader = (line: string) => /^(Breakdown · |running$|paused$)/.test(line)
const isFooter = (line: string) => line.startsWith('q quit')
const isTableLine = (line: string) => /^[┌│├└]/.test(line) || /^rows \d+–\d+ of \d+/.test(line)
const tickOf = (line: string) => /(?:^|\] (?:Ticker: )?)tick (\d+)$/.exec(line)?.[1]
// SGR sequences (colours): ESC [ ... m.
const ESC = String.fromCharCode(27)
const SGR = new RegExp(`${ESC}\\[[\\d;]*m`, 'g')
const STARTUP = /^(Oban instance "|No oban\.config)/
/** A line the process logged: a tick, another line of the instance's log, or a start-up line. */
const isLog = (line: string) => tickOf(line) !== undefined || /^\[Fit\w*\] /.test(line) || STARTUP.test(line)

/**
 * What every screen of a live view must be: log lines (ticks, consecutive, when `ticks`) and
 * nothing else above one header, the table under it, one footer last, the frame no taller than
 * the budget. Returns true, or what is wrong.
 */
function wellFormed(screen: string, rows: number, options: {ticks: boolean; status?: string}): true | string {
  const lines = screen.split('\n')
  const headers = lines.flatMap((line, i) => (isHeader(line) ? [i] : []))
  const footers = lines.flatMap((line, i) => (isFooter(line) ? [i] : []))
  if (headers.length !== 1) return `${headers.length} header lines`
  if (footers.length !== 1) return `${footers.length} footer lines`
  const [header] = headers as [number]
  const [footer] = footers as [number]
  if (footer !== lines.length - 1) return 'lines under the footer'
  if (options.status && !lines[header]!.endsWith(options.status))
    return `the header does not end with ${options.status}`
  const frame = lines.slice(header + 1, footer)
  if (!frame.every(isTableLine)) return `a stray line in the frame: ${frame.find((l) => !isTableLine(l))}`
  if (footer - header + 1 > rows - Math.max(3, Math.floor(rows / 4))) return 'the frame is taller than its budget'
  const above = lines.slice(0, header).filter((line) => line.trim() !== '')
  const stray = above.find((line) => !isLog(line))
  if (stray !== undefined) return `a stray line above the header: ${stray}`
  if (!options.ticks) return true
  const ticks = above.flatMap((line) => {
    const tick = tickOf(line)
    return tick === undefined ? [] : [Number(tick)]
  })
  if (ticks.length < 3) return `only ${ticks.length} log lines above the header`
  if (!ticks.every((tick, i) => i === 0 || tick === ticks[i - 1]! + 1))
    return `log lines out of order: ${ticks.join(' ')}`
  return true
}

const lastTick = (screen: string) => {
  const ticks = screen.split('\n').flatMap((line) => tickOf(line) ?? [])
  return Number(ticks.at(-1) ?? 0)
}

/** Resizes and waits until the screen is well formed at the new size and newer log lines showed. */
async function resizeTo(pane: Pane, columns: number, rows: number, ticks: boolean, status = 'running') {
  const before = lastTick(pane.screen())
  pane.resize(columns, rows)
  return pane.waitFor((screen) => {
    const width = Math.max(...screen.split('\n').map((line) => line.length))
    if (width > columns) return `a line wider than ${columns}`
    const shape = wellFormed(screen, rows, {ticks, status})
    if (shape !== true) return shape
    return !ticks || lastTick(screen) > before + 2 ? true : 'no newer log line'
  }, 30_000)
}

const SIZES: {columns: number; rows: number; env: Record<string, string>}[] = [
  {columns: 120, rows: 40, env: {}},
  {columns: 80, rows: 24, env: {NO_COLOR: '1'}},
]

describe.skipIf(!hasTmux)('the live Breakdown fits the terminal', {timeout: 240_000}, () => {
  it.each(SIZES)('oban start at $columns x $rows with log lines and 20 queues', async ({columns, rows, env}) => {
    const instance = `Fit${columns}`
    const pane = terminal.oban(
      `start-${columns}`,
      ['start', '--config', config, '--instance', instance, '--database-url', url],
      {cwd: fixture.dir, columns, rows, env},
    )
    // The table overflows: its rows are summarised, the grand total stays, the log shows above.
    const first = await pane.waitFor((screen) => {
      if (!/rows 1–\d+ of 60/.test(screen)) return 'no scrolled table yet'
      return wellFormed(screen, rows, {ticks: true, status: 'running'})
    }, 120_000)
    expect(first).toMatch(/│ all queues +│ total +│ +40 │/)
    const firstTick = lastTick(first)
    await pane.waitFor((screen) => lastTick(screen) > firstTick + 5 || 'no newer log line')

    // Colour in the header only when colours are on.
    const headerLine = pane
      .screenWithEscapes()
      .split('\n')
      .find((line) => line.replace(SGR, '').startsWith('Breakdown ·'))
    expect(headerLine).toBeDefined()
    if (env.NO_COLOR) expect(headerLine).not.toContain(ESC)
    else expect(headerLine).toContain(`${ESC}[32mrunning`)

    // Every log line went to the scrollback, in order: none was erased by a redraw.
    const logged = pane
      .history()
      .split('\n')
      .flatMap((line) => tickOf(line) ?? [])
      .map(Number)
    const from = logged.indexOf(1)
    expect(from).toBeGreaterThanOrEqual(0)
    const run = logged.slice(from, from + 30)
    expect(run).toEqual(Array.from({length: run.length}, (_, i) => i + 1))

    // Scrolling: ↓ moves the window one row, PgDn a page; the grand total stays.
    pane.keys('Down')
    await pane.waitFor(/rows 2–\d+ of 60/)
    pane.keys('PageDown')
    const paged = await pane.waitFor((screen) => !/rows [12]–/.test(screen) || 'not paged')
    expect(paged).toMatch(/│ all queues +│ total +│ +40 │/)

    // The resize sequence: narrower, narrower, back, then shorter.
    for (const [c, r] of [
      [60, rows],
      [30, rows],
      [columns, rows],
      [columns, rows === 40 ? 24 : 40],
      [columns, rows],
    ] as const)
      await resizeTo(pane, c, r, true)

    // Paused, r counts once (the footer says so) and the view stays paused.
    pane.keys('p')
    await pane.waitFor((screen) => wellFormed(screen, rows, {ticks: true, status: 'paused'}))
    expect(pane.screen()).toContain('q quit · p resume · r count once · paused')
    await insertRaw(pool, [{queue: 'q01', state: 'scheduled', scheduledIn: 3_600}])
    pane.keys('r')
    await pane.waitFor(/│ all queues +│ total +│ +41 │/)
    expect(wellFormed(pane.screen(), rows, {ticks: true, status: 'paused'})).toBe(true)
    await pool.query(`DELETE FROM oban_jobs WHERE id = (SELECT max(id) FROM oban_jobs)`)

    // Narrow and paused: the status is still in view.
    await resizeTo(pane, 30, rows, true, 'paused')
    await resizeTo(pane, columns, rows, true, 'paused')

    // q stops the instance; its messages start lines of their own.
    pane.keys('q')
    const end = await pane.waitFor(/EXIT=\d+/, 60_000)
    expect(end).toMatch(/\nSIGINT: stopping\.\.\.\n(?:.*\n)*Stopped\.\nEXIT=0/)
  })

  it('oban breakdown at 80 x 24 with NO_COLOR: fits, resizes, and keeps its status in view', async () => {
    const rows = 24
    const pane = terminal.oban(
      'breakdown-80',
      ['breakdown', '--interval', '500ms', '--instance', 'FitView', '--database-url', url],
      {cwd: fixture.dir, columns: 80, rows, env: {NO_COLOR: '1'}},
    )
    const first = await pane.waitFor((screen) => {
      if (!/rows 1–\d+ of 60/.test(screen)) return 'no scrolled table yet'
      return wellFormed(screen, rows, {ticks: false, status: 'running'})
    }, 120_000)
    expect(first).toMatch(/│ all queues +│ total +│ +40 │/)
    expect(pane.screenWithEscapes()).not.toMatch(SGR)
    for (const [c, r] of [
      [60, 24],
      [30, 24],
      [80, 24],
      [80, 40],
      [80, 24],
    ] as const)
      await resizeTo(pane, c, r, false)
    pane.keys('q')
    await pane.waitFor(/EXIT=0/, 30_000)
  })
})
