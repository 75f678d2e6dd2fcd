import {afterEach, describe, expect, it} from 'vitest'
import {createLogger} from '../../src/telemetry/logger.js'
import {sendNotifications} from '../../src/notifier/send.js'
import {Oban} from '../../src/instance/oban.js'
import {attach, detach} from '../../src/telemetry/telemetry.js'
import {builtinPlugins, Cron, Lifeline, Pruner, Reindexer} from '../../plugins/index.js'
import {insertJobRows} from '../helpers/job-rows.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('plugin_leader_only')
const instances: Oban[] = []
afterEach(async () => {
  await Promise.all(instances.splice(0).map((oban) => oban.stop()))
})

/** The four maintenance plugins by their built-in names, with short intervals. */
const PLUGINS = [
  ['Pruner', {interval: '100ms', maxAge: '1h'}],
  ['Lifeline', {interval: '100ms', rescueAfter: '1h'}],
  ['Cron', {crontab: [['0 0 1 1 *', 'MyApp.NewYear', {name: 'new-year'}]]}],
  'Reindexer',
] as const

describe('leader-only maintenance plugins', {timeout: 30_000}, () => {
  it('stay idle while another node leads (here an Elixir node), and take over when it stops', async () => {
    // Another node holds the lease of instance Maint, as an Elixir leader would.
    await pool.query(
      `INSERT INTO oban_peers (name, node, started_at, expires_at)
       VALUES ('Maint', 'maint@elixir-host', timezone('UTC', now()), timezone('UTC', now()) + interval '1 hour')`,
    )
    const [old, stuck] = await insertJobRows(pool, [
      {worker: 'old', state: 'completed', scheduledIn: -7200},
      {worker: 'stuck', state: 'executing', attempt: 1, attemptedIn: -7200, attemptedBy: ['maint@dead', 'x']},
    ])
    const runs: {plugin: unknown; leader: unknown}[] = []
    attach('leader-only', ['plugin:stop'], (_event, _m, meta) => {
      if (meta.instance === 'Maint' && (meta.plugin === 'Pruner' || meta.plugin === 'Lifeline'))
        runs.push({plugin: meta.plugin, leader: meta.leader})
    })
    try {
      const oban = new Oban(
        {databaseUrl: url, name: 'Maint', node: 'ts-follower', queues: false, stager: false, plugins: [...PLUGINS]},
        createLogger({level: 'silent'}),
      )
      instances.push(oban)
      await oban.start({peerInterval: 60_000, builtinPlugins})
      expect(oban.isLeader).toBe(false)
      await eventually(() => runs.filter((run) => run.plugin === 'Lifeline').length >= 3, 5000, 'follower runs')
      expect(runs.every((run) => run.leader === false)).toBe(true)
      const {rows} = await pool.query<{id: string; state: string}>('SELECT id, state FROM oban_jobs ORDER BY id')
      expect(rows.map((row) => [row.id, row.state])).toEqual([
        [old, 'completed'],
        [stuck, 'executing'],
      ])
      // Requested work is the leader's too.
      for (const skipped of [
        await Pruner.prune('Maint'),
        await Lifeline.rescue('Maint'),
        await Cron.run('Maint', {name: 'new-year'}),
        await Reindexer.reindex('Maint'),
      ])
        expect(skipped).toEqual({
          leader: false,
          skipped: 'ts-follower does not lead Maint; the leader acts (pass force to act on this node)',
        })
      expect(await Cron.entries('Maint')).toMatchObject([{name: 'new-year', worker: 'MyApp.NewYear'}])

      // The leader stops: it deletes its row and says so on the leader channel, as Oban does.
      await pool.query(`DELETE FROM oban_peers WHERE name = 'Maint'`)
      await sendNotifications(pool, 'public', 'leader', [{down: 'Maint'}])
      await eventually(() => oban.isLeader, 10_000, 'ts-follower leading')
      await eventually(
        async () => (await pool.query('SELECT 1 FROM oban_jobs WHERE state = $1', ['executing'])).rowCount === 0,
        5000,
        'the stuck job rescued',
      )
      await eventually(
        async () => (await pool.query('SELECT 1 FROM oban_jobs WHERE id = $1', [old])).rowCount === 0,
        5000,
        'the old job pruned',
      )
      expect(runs.some((run) => run.plugin === 'Pruner' && run.leader === true)).toBe(true)
      expect(await Reindexer.reindex('Maint')).toMatchObject({leader: true, errors: []})
      expect(await Cron.run('Maint', {name: 'new-year'})).toMatchObject({leader: true, job: {worker: 'MyApp.NewYear'}})
    } finally {
      detach('leader-only')
    }
  })
})
