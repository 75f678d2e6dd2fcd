import {describe, expect, it} from 'vitest'
import {createFixture, createRunsTable, insertJobs, quick, sleeper, states} from '../helpers/e2e.js'
import {migratedDatabase} from '../helpers/oban-db.js'
import {hasTmux, tmuxTerminal, type Pane} from '../helpers/tmux.js'

// `oban dash` in a real terminal (tmux) against a real node processing jobs: each tab, moving
// around, the actions with their confirmations, resizing, and quitting.
const {url, pool} = await migratedDatabase('cmd_dash_tmux')
await createRunsTable(pool)
const fixture = createFixture(url)
const terminal = tmuxTerminal()

const lines = (screen: string) => screen.split('\n')
const header = (screen: string) => lines(screen)[0] ?? ''
const row = (screen: string, start: RegExp) => lines(screen).find((line) => start.test(line)) ?? ''

/** Sends keys one at a time, waiting for the screen to react to each (a key pressed right after Esc would read as Alt+key). */
async function press(pane: Pane, key: string, until: RegExp | ((screen: string) => boolean | string)) {
  pane.keys(key)
  return pane.waitFor(until)
}

describe.skipIf(!hasTmux)('oban dash in a terminal', {timeout: 240_000}, () => {
  it('80x24: queues, pause/resume/scale, jobs with cancel and retry, detail, nodes, help, q restores the terminal', async () => {
    const config = fixture.config({queues: {default: 5, mailers: 2}, plugins: [['Lifeline', {interval: '1m'}]]})
    await fixture.start('n1', {config})
    const [sleeping] = await insertJobs(pool, [sleeper({ms: 120_000}, 'mailers')])
    await insertJobs(
      pool,
      Array.from({length: 5}, (_, i) => quick({i})),
    )

    const pane = terminal.oban('dash80', ['dash', '--interval', '500ms', '--database-url', url], {
      cwd: fixture.dir,
      columns: 80,
      rows: 24,
    })
    // Queues: a row per queue, the sleeping job running on n1's mailers (1 of 2).
    const first = await pane.waitFor((s) => / mailers +\d+ +1 .* 1\/2/.test(s) || 'mailers 1/2 running')
    // The header says when it last refreshed and how long that took (and whether slow refreshes spaced them out).
    expect(header(first)).toMatch(/^oban dash \[1 Queues\] 2 Nodes {2}3 Jobs {2}· Oban · \d\d:\d\d:\d\d \(\d+ms/)
    expect(first).toMatch(/^ {2}queue +avail +exec +retry +latency +run\/lim +state +completed/m)
    // The frame is one row shorter than the terminal: the key line on row 23 of 24.
    expect(lines(first)).toHaveLength(23)
    expect(lines(first).at(-1)).toBe('↑↓ move · Enter jobs · p pause · r resume · s scale · x stop · ? help · q quit')
    for (const line of lines(first)) expect(line.length).toBeLessThanOrEqual(80)

    // Throughput: jobs completed while the dash watches raise the completed sparkline.
    await insertJobs(
      pool,
      Array.from({length: 20}, (_, i) => quick({i})),
    )
    await pane.waitFor((s) => /^comp [ ▁]*[▂▃▄▅▆▇█]/m.test(s) || 'a completed bar above the baseline')

    // Pause and resume the selected queue (default, the first row).
    expect(row(first, /^> /)).toMatch(/^> default /)
    await press(pane, 'p', /Sent pause for queue default to 1 node: Oban\.n1/)
    await pane.waitFor((s) => /^> default .* paused/m.test(s) || 'default paused')
    await press(pane, 'r', /Sent resume for queue default to 1 node: Oban\.n1/)
    await pane.waitFor((s) => (/^> default /m.test(s) && !/^> default .* paused/m.test(s)) || 'default running')

    // Scale asks for the limit and refuses what is not one.
    await press(pane, 's', /Scale queue default/)
    pane.keys('abc', 'Enter')
    await pane.waitFor(/"abc" is not a limit: give a whole number from 1 to 1000000/)
    pane.keys('BSpace', 'BSpace', 'BSpace', '7', 'Enter')
    await pane.waitFor(/Sent scale \(limit 7\) for queue default to 1 node: Oban\.n1/)
    await pane.waitFor((s) => /^> default .* 0\/7/m.test(s) || 'default limit 7')

    // Stop asks first; no keeps it running.
    await press(pane, 'x', /Stop queue default on 1 node running it\?/)
    await press(pane, 'n', /Not stopped\./)

    // Jobs: every state, newest first; → three times is executing, where the sleeping job is.
    await press(pane, '3', /state all · queue \* · worker \* · tag \* · page 1 · by id ↓/)
    for (const expected of ['available', 'scheduled', 'executing'])
      await press(pane, 'Right', new RegExp(`state ${expected} `))
    const executing = await pane.waitFor(new RegExp(`^> +${sleeping!.id} +mailers +E2E\\.Sleep`, 'm'))
    expect(executing).toMatch(/by attempted_at ↓/)

    // Cancel it, with the CLI's confirmation.
    await press(pane, 'C', new RegExp(`Cancel 1 job matching ids ${sleeping!.id} \\(executing 1\\)\\?`))
    await press(pane, 'y', /Cancelled 1 job \(executing 1\)\. Sent pkill for 1 executing job/)
    expect(await states(pool, [sleeping!.id])).toEqual(['cancelled'])

    // Retry it from the cancelled jobs (→ four more states).
    for (const expected of ['retryable', 'completed', 'discarded', 'cancelled'])
      await press(pane, 'Right', new RegExp(`state ${expected} `))
    await pane.waitFor(new RegExp(`^> +${sleeping!.id} +mailers +E2E\\.Sleep`, 'm'))
    await press(pane, 'R', new RegExp(`Retry 1 job matching ids ${sleeping!.id} \\(cancelled 1\\)\\?`))
    await press(pane, 'y', /Retried 1 job \(cancelled 1\)\./)
    expect(await states(pool, [sleeping!.id])).not.toEqual(['cancelled'])

    // Detail of a completed job: timestamps, node, args; Esc goes back.
    await press(pane, '[', /state discarded /)
    await press(pane, '[', /state completed /)
    await pane.waitFor(/^> +\d+ +default +E2E\.Quick/m)
    const detail = await press(pane, 'Enter', /^Job \d+ {2}completed {2}E2E\.Quick/m)
    expect(detail).toMatch(/^node n1 \(producer [0-9a-f-]+\)$/m)
    expect(detail).toMatch(/^ {2}completed {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \(.+\)$/m)
    expect(detail).toMatch(/^Args$/m)
    await press(pane, 'Escape', /state completed /)

    // Nodes: n1 leads and runs both queues; this dash is a viewer.
    const nodes = await press(pane, '2', /^> Oban +n1 +oban-ts +leader/m)
    expect(nodes).toMatch(/^ {2}Oban +\S+ +oban-ts viewer/m)
    const plugins = await press(pane, 'Enter', /^Lifeline {2}running · leader only/m)
    expect(plugins).toMatch(/^> {3}rescue \[FORCE\]/m)
    // A plugin function, called with its (optional) argument asked for.
    await press(pane, 'Enter', /Lifeline\.rescue \[FORCE\] on n1/)
    await press(pane, 'Enter', /^Lifeline\.rescue: n1: ok /m)

    // Help, and any key closes it.
    await press(pane, '?', /^ {2}R C D +retry, cancel, delete the marked jobs/m)
    await press(pane, 'Space', /^Lifeline {2}running/m)

    // q: gone at once, exit 0, the user's screen back (the alternate screen is left).
    const after = await press(pane, 'q', /EXIT=0/)
    expect(after).not.toMatch(/oban dash/)
  })

  it('160x50 uses the room; resizing re-lays out with no stale line; NO_COLOR and --readonly', async () => {
    const pane = terminal.oban('dash160', ['dash', '--interval', '500ms', '--readonly', '--database-url', url], {
      cwd: fixture.dir,
      columns: 160,
      rows: 50,
      env: {NO_COLOR: '1'},
    })
    const wide = await pane.waitFor(
      (s) =>
        (/^ {2}completed /m.test(s) &&
          /^ {2}queue +avail +exec +sched +retry +latency +run\/lim +nodes +state +per node/m.test(s)) ||
        'the wide layout',
    )
    expect(wide).toMatch(/^Throughput per 500ms over /m)
    expect(header(wide)).toMatch(/· read-only$/)
    expect(lines(wide).at(-1)).toBe('↑↓ move · Enter jobs · ? help · q quit')
    // No colour at all, the selection included (it is marked by ">").
    expect(pane.screenWithEscapes()).not.toMatch(new RegExp(String.raw`\u001B\[(?:[34]\d|7|1)(?:;\d+)*m`))

    // Read-only: p does nothing.
    pane.keys('p')
    pane.keys('g')
    await pane.waitFor((s) => !/Sent pause/.test(s))

    pane.resize(80, 24)
    const narrow = await pane.waitFor(/^comp .* fail .* canc /m)
    expect(narrow).not.toMatch(/per node|Throughput per/)
    for (const line of lines(narrow)) expect(line.length).toBeLessThanOrEqual(80)
    expect(lines(narrow).length).toBeLessThanOrEqual(24)
    expect(lines(narrow).filter((line) => line.startsWith('oban dash'))).toHaveLength(1)

    pane.resize(160, 50)
    const back = await pane.waitFor(/^Throughput per 500ms/m)
    expect(lines(back).filter((line) => line.startsWith('oban dash'))).toHaveLength(1)
    expect(back).not.toMatch(/^comp /m)

    // The other tabs use the width too: every column of the jobs, the nodes' plugins.
    const jobs = await press(pane, '3', /^ {3} +id +state +queue +worker +att +inserted +args/m)
    expect(jobs).toMatch(/^> +\d+ +\w+ +\w+ +E2E\.\w+ +\d+\/\d+ +.+ago +\{/m)
    const nodes = await press(
      pane,
      '2',
      /^ {2}instance +node +runtime +leader +started +queues \(running\/limit\) +plugins/m,
    )
    expect(nodes).toMatch(/^> Oban +n1 +oban-ts +leader +.+ago +default 0\/\d+, mailers \d\/2 +Lifeline$/m)

    pane.keys('C-c')
    await pane.waitFor(/EXIT=0/)
  })
})
