import {beforeEach, describe, expect, it} from 'vitest'
import {insertJobRows} from '../../helpers/job-rows.js'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {hasScript, obanOnTerminal} from '../../helpers/pty.js'

// What a person at a terminal sees: the commands run under a pseudo-terminal (util-linux
// `script`), so stdin, stdout and stderr are all TTYs, as they are in an interactive shell.
const {url, pool} = await migratedDatabase('cmd_job_terminal')
beforeEach(() => pool.query('TRUNCATE oban_jobs'))

/** Runs `oban ARGV` against the file's database on a pseudo-terminal, typing `input`. */
const onTerminal = (argv: string[], input = '') => obanOnTerminal([...argv, '--database-url', url], {input})

describe.skipIf(!hasScript)('on a terminal', {timeout: 60_000}, () => {
  it('asks before retrying a filter, shows progress on one line, then the result', async () => {
    await pool.query(`INSERT INTO oban_jobs (worker, state) SELECT 'W', 'discarded' FROM generate_series(1, 2500)`)
    const {code, screen} = await onTerminal(['job', 'retry', '--state', 'discarded'], 'y\n')
    expect(code).toBe(0)
    expect(screen).toContain('Retry 2,500 jobs matching --state discarded (discarded 2,500)? [y/N] ')
    expect(screen).toContain('\r\x1b[2Kretried 1,000 / 2,500')
    expect(screen.endsWith('\r\x1b[2KRetried 2,500 jobs (discarded 2,500) in 3 batches.\n')).toBe(true)
    const {rows} = await pool.query<{n: number}>(`SELECT count(*)::int AS n FROM oban_jobs WHERE state = 'available'`)
    expect(rows[0]!.n).toBe(2500)
  })

  it('changes nothing when the answer is no, and exits 1', async () => {
    await insertJobRows(pool, [{state: 'retryable'}, {state: 'available'}])
    const {code, screen} = await onTerminal(['job', 'delete', '--queue', 'default'], 'n\n')
    expect(code).toBe(1)
    expect(screen).toContain('Delete 2 jobs matching --queue default (available 1, retryable 1)? [y/N] ')
    expect(screen).toContain('    Error: not confirmed: nothing was deleted\n')
    const {rows} = await pool.query<{n: number}>('SELECT count(*)::int AS n FROM oban_jobs')
    expect(rows[0]!.n).toBe(2)
  })

  it('draws the job list as a table', async () => {
    const [id] = await insertJobRows(pool, [{state: 'retryable', worker: 'MyApp.Sync', args: {account: 7}}])
    const {code, screen} = await onTerminal(['job', 'list'])
    expect(code).toBe(0)
    expect(screen).toMatch(/^┌─+┬/)
    expect(screen).toMatch(
      new RegExp(`│ +${id} │ retryable │ default │ MyApp\\.Sync │ +0/20 │ [^│]+ │ - +│ \\{"account":7\\} │`),
    )
    expect(screen).not.toContain('\x1b[3') // NO_COLOR
  })
})
