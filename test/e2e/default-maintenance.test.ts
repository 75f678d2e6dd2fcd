import {describe, expect, it} from 'vitest'
import {createFixture, spawnOban} from '../helpers/e2e.js'
import {eventually, migratedDatabase, readJob} from '../helpers/oban-db.js'

// `oban start` without a config file runs Lifeline (and Pruner): a job orphaned `executing` by a
// node that is gone (interrupted by a second Ctrl-C) is rescued instead of staying so for ever,
// and `oban job retry` on such a job says what to do rather than "Retried 0 jobs".
const {url, pool} = await migratedDatabase('e2e_default_maintenance')
const fixture = createFixture(url)

describe('the default oban start', {timeout: 120_000}, () => {
  it('runs Lifeline and Pruner, and Lifeline rescues a job orphaned by a node that is gone', async () => {
    // Executing for 10 minutes on a node that has no presence row: its process is gone.
    const {rows} = await pool.query<{id: string}>(
      `INSERT INTO oban_jobs (worker, queue, state, attempt, max_attempts, attempted_at, attempted_by)
       VALUES ('Gone.Worker', 'default', 'executing', 1, 3, timezone('UTC', now()) - interval '10 minutes', ARRAY['gone-node', 'x'])
       RETURNING id`,
    )
    const id = String(rows[0]!.id)

    const retry = await fixture.cli('job', 'retry', String(id))
    expect(retry.code).toBe(0)
    expect(retry.stdout).toContain(`Not retried, as retry does not apply to their state: ${id} (executing).\n`)
    expect(retry.stdout).toContain(
      `the Lifeline plugin (on by default) makes it available again once executing for its rescueAfter (5m by default), or retry now with \`oban job cancel ${id}\` then \`oban job retry ${id}\`.`,
    )

    const node = spawnOban(['start', '--database-url', url, '--node', 'solo'], {cwd: fixture.dir})
    await node.waitFor(/No oban\.config\.\* found: running .*\n/, {timeoutMs: 60_000})
    expect(node.stdout()).toContain(
      'No oban.config.* found: running queue default (limit 10) with the Breakdown, Lifeline, Pruner plugins.\n',
    )
    // Its first scheduled run is an interval (1m) away: ask for one now, as a user can.
    const rescue = await fixture.cli('plugin', 'rescue', 'Lifeline', '--json')
    expect(rescue.code, rescue.stderr).toBe(0)
    const result = JSON.parse(rescue.stdout) as {nodes: {node: string; result: {rescued: string[]}}[]}
    expect(result.nodes.map((n) => [n.node, n.result.rescued])).toEqual([['solo', [id]]])
    // Rescued to available, then run by queue default (its worker is unknown here, so it fails).
    await eventually(async () => (await readJob(pool, id)).state !== 'available', 20_000, 'the rescued job run')
    expect((await readJob(pool, id)).attempt).toBe(2)
    const plugins = await fixture.cli('plugin', 'list', '--json')
    expect(plugins.stdout).toContain('"Pruner"')
  })
})
