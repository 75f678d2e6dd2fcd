import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {createFixture} from '../helpers/e2e.js'
import {eventually, insertRaw, migratedDatabase, readJob} from '../helpers/oban-db.js'
import {hasTmux, tmuxTerminal} from '../helpers/tmux.js'
import {elapsed} from '../helpers/wait.js'

// The live table in a real terminal (tmux): it updates after jobs are inserted, pauses and
// resumes by key and from another process, keeps log lines above it, and q exits 0 at once.
const {url, pool} = await migratedDatabase('e2e_breakdown_tmux')
const fixture = createFixture(url)
const terminal = tmuxTerminal()
const pluginCommand = existsSync(join(REPO, 'commands/plugin/index.ts'))

const header = (screen: string) => screen.split('\n').find((line) => line.startsWith('Breakdown ·')) ?? ''

describe.skipIf(!hasTmux)('the live Breakdown in a terminal', {timeout: 120_000}, () => {
  it('oban breakdown: updates, pauses with p, resumes, and q exits 0', async () => {
    const pane = terminal.oban(
      'breakdown',
      ['breakdown', '--interval', '500ms', '--instance', 'Tmux', '--database-url', url],
      {
        cwd: fixture.dir,
      },
    )
    await pane.waitFor(/No jobs\.\nq quit · p pause · r refresh/)
    expect(header(pane.screen())).toMatch(
      /^Breakdown · Tmux · node \S+ · every 500ms · updated \d\d:\d\d:\d\d · running$/,
    )

    await insertRaw(pool, [{queue: 'tmux'}, {queue: 'tmux'}, {queue: 'tmux', state: 'completed', attempt: 1}])
    await pane.waitFor(/│ tmux +│ available +│ +2 │/)
    expect(pane.screen()).toMatch(/│ +│ completed +│ +1 │/)

    pane.keys('p')
    await pane.waitFor((s) => header(s).endsWith('· paused') && s.includes('p resume'))
    // Paused: no count, so a new job does not show up in four intervals.
    const insertedAt = Date.now()
    await insertRaw(pool, [{queue: 'tmux'}])
    await elapsed(insertedAt, 2_000)
    expect(pane.screen()).toMatch(/│ tmux +│ available +│ +2 │/)

    pane.keys('p')
    await pane.waitFor(/│ tmux +│ available +│ +3 │/)
    expect(header(pane.screen())).toMatch(/· running$/)

    if (pluginCommand) {
      const paused = await fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'Tmux')
      expect(paused.code).toBe(0)
      await pane.waitFor((s) => header(s).endsWith('· paused'))
      const resumed = await fixture.cli('plugin', 'resume', 'Breakdown', '--instance', 'Tmux')
      expect(resumed.code).toBe(0)
      await pane.waitFor((s) => header(s).endsWith('· running'))
    }

    const quit = Date.now()
    pane.keys('q')
    await pane.waitFor(/EXIT=0/, 10_000)
    expect(Date.now() - quit).toBeLessThan(5_000)
    await pool.query(`DELETE FROM oban_jobs WHERE queue = 'tmux'`)
  })

  it('oban start without a config file: the live table under the log lines; Ctrl-C stops it', async () => {
    const pane = terminal.oban('start', ['start', '--instance', 'TmuxStart', '--database-url', url], {cwd: fixture.dir})
    const first = await pane.waitFor(/q quit · p pause · r refresh/)
    expect(first).toContain(
      'No oban.config.* found: running queue default (limit 10) with the Breakdown, Lifeline, Pruner plugins.',
    )
    expect(header(first)).toMatch(/^Breakdown · TmuxStart · node \S+ · every 10s · updated \d\d:\d\d:\d\d · running$/)

    // Queue default runs the job (its worker is unknown here, so it is discarded): r counts now.
    const [job] = await insertRaw(pool, [{queue: 'default', maxAttempts: 1}])
    await eventually(async () => (await readJob(pool, job!)).state === 'discarded', 20_000, 'the job discarded')
    pane.keys('r')
    await pane.waitFor(/│ default +│ discarded +│ +1 │/)

    // A log line (the pool loses its connections) scrolls above the frame, which stays whole.
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'oban-ts TmuxStart %'`,
    )
    const logged = await pane.waitFor(/database connection lost[\s\S]*Breakdown · TmuxStart[\s\S]*q quit/)
    expect(logged.indexOf('database connection lost')).toBeLessThan(logged.indexOf('Breakdown · TmuxStart'))

    if (pluginCommand) {
      await pane.waitFor(/q quit/)
      const paused = await fixture.cli('plugin', 'pause', 'Breakdown', '--instance', 'TmuxStart')
      expect(paused.code).toBe(0)
      await pane.waitFor((s) => header(s).endsWith('· paused'))
    }

    pane.keys('C-c')
    const end = await pane.waitFor(/EXIT=\d+/, 30_000)
    expect(end).toMatch(/SIGINT: stopping\.\.\.\nStopped\.\nEXIT=0/)
  })
})
