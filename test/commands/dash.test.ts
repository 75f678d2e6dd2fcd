import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {killChildrenAfterEach, runOban} from '../helpers/e2e.js'
import {migratedDatabase} from '../helpers/oban-db.js'
import {hasTmux, tmuxTerminal} from '../helpers/tmux.js'

// What `oban dash` does where it cannot draw, and with a bad flag.
const {url} = await migratedDatabase('cmd_dash')
killChildrenAfterEach()
const cwd = mkdtempSync(join(tmpdir(), 'oban-dash-'))
const terminal = tmuxTerminal()

describe('oban dash', () => {
  it('off a terminal: refuses in one line pointing at the text commands, exit 2, nothing started', async () => {
    const {code, stdout, stderr} = await runOban(['dash', '--database-url', url], {cwd})
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.trim()).toBe(
      'Error: oban dash needs a terminal (stdin and stdout, not CI); for text use `oban breakdown`, `oban queue list` or `oban job list`',
    )
  })

  it.skipIf(!hasTmux)('a bad --interval is one line, exit 2, before the screen takes over', async () => {
    const pane = terminal.oban('interval', ['dash', '--interval', 'soon', '--database-url', url], {
      cwd,
      columns: 120,
      rows: 10,
    })
    const screen = await pane.waitFor(/EXIT=2/)
    expect(screen).toMatch(/^ *Error: --interval soon: expected a duration such as 500ms, .+$/m)
    expect(screen.split('\n').filter((line) => line.trim() !== '')).toHaveLength(2)
  })
})
