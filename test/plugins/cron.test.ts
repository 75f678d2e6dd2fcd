import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError} from '../../src/errors.js'
import {Oban} from '../../src/instance/oban.js'
import {validatePluginOptions} from '../../src/plugin/options.js'
import {attach, detach} from '../../src/telemetry/telemetry.js'
import {defineWorker} from '../../src/job/worker.js'
import {Cron, CronService, UnknownCronEntryError, type CronOptions} from '../../plugins/index.js'
import {eventually, migratedDatabase} from '../helpers/oban-db.js'
import {testClock, testPluginContext} from '../helpers/plugin-context.js'

const {pool} = await migratedDatabase('plugin_cron')
const services: CronService[] = []

beforeEach(() => pool.query('TRUNCATE oban_jobs'))
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()))
})

const Report = defineWorker({name: 'MyApp.Report', queue: 'reports', maxAttempts: 5, tags: ['report'], perform() {}})

function cron(
  options: Record<string, unknown>,
  setup: {leader?: boolean; clock?: () => Date; node?: string; workers?: (typeof Report)[]} = {},
) {
  const test = testPluginContext(pool, {leader: setup.leader, node: setup.node, workers: setup.workers})
  const parsed = validatePluginOptions(Cron, options, 'plugins[0] (Cron)') as CronOptions
  const service = new CronService(test.context, parsed, {now: setup.clock})
  services.push(service)
  return {service, ...test}
}

interface Row {
  id: string
  worker: string
  queue: string
  args: unknown
  meta: Record<string, unknown>
  priority: number
  max_attempts: number
  tags: string[]
  state: string
}

async function jobs(): Promise<Row[]> {
  return (await pool.query<Row>('SELECT * FROM oban_jobs ORDER BY id')).rows
}

const at = (iso: string) => new Date(iso)

describe('Cron: configuration', () => {
  it("accepts Oban's tuples and objects, with a timezone per plugin or per entry", () => {
    const options = validatePluginOptions(
      Cron,
      {
        timezone: 'Europe/Paris',
        crontab: [
          ['* * * * *', 'MyApp.Minute'],
          ['0 9 * * MON-FRI', 'MyApp.Report', {args: {kind: 'daily'}, queue: 'reports', name: 'weekday-report'}],
          {expression: '@reboot', worker: 'MyApp.Warmup', priority: 1, timezone: 'America/New_York'},
        ],
      },
      'p',
    ) as CronOptions
    expect(options.timezone).toBe('Europe/Paris')
    expect(options.crontab.map((entry) => [entry.name, entry.worker, entry.timezone])).toEqual([
      [expect.stringMatching(/^[0-9a-f]{8}$/) as string, 'MyApp.Minute', undefined],
      ['weekday-report', 'MyApp.Report', undefined],
      [expect.stringMatching(/^[0-9a-f]{8}$/) as string, 'MyApp.Warmup', 'America/New_York'],
    ])
    expect(options.crontab[1]).toMatchObject({args: {kind: 'daily'}, options: {queue: 'reports'}})
    expect(validatePluginOptions(Cron, {}, 'p')).toEqual({crontab: [], timezone: 'Etc/UTC'})
  })

  it('refuses invalid expressions when the config is validated, with the reason', () => {
    expect(() => new Oban({plugins: [[Cron, {crontab: [['0 9 * * mon', 'MyApp.Report']]}]]})).toThrow(
      new ConfigError(
        'config: plugins[0] (Cron): crontab.0: "0 9 * * mon": unrecognized weekday part "mon" (month and weekday names are upper case: JAN, MON)',
      ),
    )
    const fail = (options: unknown) => () => validatePluginOptions(Cron, options, 'plugins[0] (Cron)')
    expect(fail({crontab: [['0 0 30 2 *', 'W']]})).toThrow(
      'plugins[0] (Cron): crontab.0: "0 0 30 2 *": no day in "30" can occur in months "2"',
    )
    expect(fail({crontab: [['@every_minute', 'W']]})).toThrow(/crontab\.0: "@every_minute": expected 5 fields/)
    expect(fail({crontab: [['* * * * *']]})).toThrow(/crontab\.0: expected \[expression, worker\]/)
    expect(fail({crontab: [['* * * * *', 'W', {prority: 1}]]})).toThrow(
      /crontab\.0: prority: not a crontab entry option \(did you mean "priority"\?\)/,
    )
    expect(fail({crontab: [['* * * * *', 'W', {priority: 12}]]})).toThrow(/crontab\.0: priority: /)
    expect(fail({crontab: [['* * * * *', 'W', {timezone: 'Mars/Base'}]]})).toThrow(
      /crontab\.0: timezone: unknown timezone "Mars\/Base"/,
    )
    expect(fail({timezone: 'Mars/Base'})).toThrow(/timezone: unknown timezone "Mars\/Base"/)
    expect(fail({crontab: 'daily'})).toThrow(/crontab: expected a list of crontab entries, got "daily"/)
    expect(
      fail({
        crontab: [
          ['* * * * *', 'A', {name: 'same'}],
          ['0 * * * *', 'B', {name: 'same'}],
        ],
      }),
    ).toThrow(/crontab\.1: name "same" is already used by crontab\[0\]/)
    expect(
      fail({
        crontab: [
          ['* * * * *', 'A'],
          ['* * * * *', 'A'],
        ],
      }),
    ).toThrow(/crontab\.1: repeats crontab\[0\] \(same expression, worker and options\)/)
  })

  it('accepts a worker this node does not run (another node may), and warns at start', () => {
    const none = cron({crontab: [['* * * * *', 'Elixir.Worker']]})
    none.service.start()
    expect(none.logs).toContain(
      'warn: this node runs no workers: the jobs of Elixir.Worker wait for a node (oban-ts or Elixir) that runs them',
    )
    const typo = cron({crontab: [['* * * * *', 'MyApp.Reprot']]}, {workers: [Report]})
    typo.service.start()
    expect(typo.logs).toContain(
      'warn: crontab worker MyApp.Reprot is not one of this node\'s workers (did you mean "MyApp.Report"?): its jobs wait for a node (oban-ts or Elixir) that runs it',
    )
    const known = cron({crontab: [['* * * * *', 'MyApp.Report']]}, {workers: [Report]})
    known.service.start()
    expect(known.logs).toEqual([])
  })
})

describe('Cron: evaluation', () => {
  it("inserts due entries with Oban's cron meta, the entry's options over the worker's defaults", async () => {
    const {service} = cron(
      {
        timezone: 'Europe/Paris',
        crontab: [
          [
            '0 9 * * MON-FRI',
            'MyApp.Report',
            {args: {kind: 'daily'}, priority: 2, meta: {team: 'ops'}, name: 'report'},
          ],
          ['30 9 * * *', 'MyApp.Other'],
          ['0 * * * *', 'Elixir.Hourly', {queue: 'hourly', maxAttempts: 1, tags: ['Cron']}],
        ],
      },
      {workers: [Report]},
    )
    // Monday 2024-06-03 09:00 in Paris is 07:00 UTC.
    const inserted = await service.evaluate(at('2024-06-03T07:00:00Z'))
    expect(inserted.map((job) => job.worker)).toEqual(['MyApp.Report', 'Elixir.Hourly'])
    const [report, hourly] = await jobs()
    expect(report).toMatchObject({
      worker: 'MyApp.Report',
      queue: 'reports',
      args: {kind: 'daily'},
      priority: 2,
      max_attempts: 5,
      tags: ['report'],
      state: 'available',
      meta: {
        team: 'ops',
        cron: true,
        cron_expr: '0 9 * * MON-FRI',
        cron_name: 'report',
        cron_tz: 'Europe/Paris',
        cron_at: '2024-06-03T07:00:00Z',
      },
    })
    expect(hourly).toMatchObject({queue: 'hourly', max_attempts: 1, tags: ['cron'], args: {}})
    expect(hourly!.meta).toMatchObject({cron: true, cron_expr: '0 * * * *', cron_tz: 'Europe/Paris'})
    expect(await service.evaluate(at('2024-06-03T07:01:00Z'))).toEqual([])
    // Saturday: only the hourly entry.
    expect((await service.evaluate(at('2024-06-01T07:00:00Z'))).map((job) => job.worker)).toEqual(['Elixir.Hourly'])
  })

  it('fires twice when a DST change repeats the local time, and never when it skips it', async () => {
    const {service} = cron({timezone: 'Europe/Paris', crontab: [['30 2 * * *', 'W']]})
    for (let t = Date.parse('2024-10-27T00:00:00Z'); t < Date.parse('2024-10-27T03:00:00Z'); t += 60_000)
      await service.evaluate(new Date(t))
    for (let t = Date.parse('2024-03-31T00:00:00Z'); t < Date.parse('2024-03-31T03:00:00Z'); t += 60_000)
      await service.evaluate(new Date(t))
    expect((await jobs()).map((job) => job.meta.cron_at)).toEqual(['2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z'])
  })

  it('inserts once per entry and minute however often the minute is evaluated', async () => {
    const {service} = cron({crontab: [['* * * * *', 'W', {name: 'every-minute'}]]})
    const minute = at('2024-06-03T10:17:00Z')
    expect(await service.evaluate(minute)).toHaveLength(1)
    expect(await service.evaluate(minute)).toEqual([])
    expect(await service.evaluate(at('2024-06-03T10:18:00Z'))).toHaveLength(1)
    expect(await jobs()).toHaveLength(2)
  })

  it('inserts once when several nodes that all believe they lead evaluate the same minute at once', async () => {
    const options = {
      crontab: [
        ['* * * * *', 'W', {name: 'minute'}],
        ['*/5 * * * *', 'V', {name: 'five'}],
      ],
    }
    const nodes = Array.from({length: 6}, (_, i) => cron(options, {node: `node-${i}`}).service)
    for (const minute of ['2024-06-03T10:15:00Z', '2024-06-03T10:16:00Z']) {
      const results = await Promise.all(nodes.map((node) => node.evaluate(at(minute))))
      expect(results.flat().length).toBe(minute.endsWith('15:00Z') ? 2 : 1)
    }
    const rows = await jobs()
    expect(rows.map((row) => [row.meta.cron_name, row.meta.cron_at])).toEqual([
      ['minute', '2024-06-03T10:15:00Z'],
      ['five', '2024-06-03T10:15:00Z'],
      ['minute', '2024-06-03T10:16:00Z'],
    ])
  })

  it("inserts nothing on a follower; the plugin span reports Oban's jobs", async () => {
    const stops: Record<string, unknown>[] = []
    attach('cron-test', ['plugin:stop'], (_event, _m, meta) => {
      if (meta.plugin === 'Cron') stops.push(meta)
    })
    try {
      const {service, setLeader} = cron({crontab: [['* * * * *', 'W']]}, {leader: false})
      expect(await service.evaluate(at('2024-06-03T10:17:00Z'))).toEqual([])
      expect(await jobs()).toEqual([])
      setLeader(true)
      const [job] = await service.evaluate(at('2024-06-03T10:18:00Z'))
      expect(stops).toEqual([
        {instance: 'Oban', plugin: 'Cron', leader: false, jobs: []},
        {instance: 'Oban', plugin: 'Cron', leader: true, jobs: [job]},
      ])
    } finally {
      detach('cron-test')
    }
  })

  it('fires @reboot once per leader start: at the first evaluation as leader, not before, not again', async () => {
    const options = {crontab: [['@reboot', 'MyApp.Warmup', {name: 'warmup'}]]}
    const first = cron(options, {leader: false})
    expect(first.service.entries()[0]).toMatchObject({name: 'warmup', nextAt: null, reboot: 'pending'})
    await first.service.evaluate(at('2024-06-03T10:00:00Z'))
    expect(await jobs()).toHaveLength(0)
    first.setLeader(true)
    await first.service.evaluate(at('2024-06-03T10:01:00Z'))
    await first.service.evaluate(at('2024-06-03T10:02:00Z'))
    first.setLeader(false)
    first.setLeader(true)
    await first.service.evaluate(at('2024-06-03T10:03:00Z'))
    expect(await jobs()).toHaveLength(1)
    expect(first.service.entries()[0]).toMatchObject({reboot: 'inserted', lastAt: '2024-06-03T10:01:00.000Z'})
    // Another start (a new node, or this one restarted) that leads: once more, even in the same minute.
    const second = cron(options)
    await second.service.evaluate(at('2024-06-03T10:03:00Z'))
    await second.service.evaluate(at('2024-06-03T10:04:00Z'))
    const rows = await jobs()
    expect(rows).toHaveLength(2)
    expect(rows[1]!.meta).toEqual({cron: true, cron_expr: '@reboot', cron_name: 'warmup', cron_tz: 'Etc/UTC'})
  })

  it('evaluates at the minute boundary after start, by its clock', async () => {
    const clock = testClock('2024-06-03T10:16:59.900Z')
    const {service} = cron({crontab: [['17 10 * * *', 'W']]}, {clock: clock.now})
    service.start()
    await eventually(async () => (await jobs()).length === 1, 5000, 'the 10:17 job')
    expect((await jobs())[0]!.meta.cron_at).toBe('2024-06-03T10:17:00Z')
  })
})

describe('Cron: functions', () => {
  it('lists entries with their next run in their timezone', () => {
    const clock = testClock('2024-06-01T12:00:00Z')
    const {service} = cron(
      {
        timezone: 'Europe/Paris',
        crontab: [
          ['0 9 * * MON-FRI', 'MyApp.Report', {name: 'report'}],
          ['0 9 * * *', 'MyApp.Ny', {name: 'ny', timezone: 'America/New_York'}],
        ],
      },
      {clock: clock.now},
    )
    expect(service.entries()).toEqual([
      {
        name: 'report',
        expression: '0 9 * * MON-FRI',
        worker: 'MyApp.Report',
        timezone: 'Europe/Paris',
        nextAt: '2024-06-03T07:00:00.000Z',
        nextLocal: '2024-06-03T09:00:00+02:00',
        lastAt: null,
      },
      {
        name: 'ny',
        expression: '0 9 * * *',
        worker: 'MyApp.Ny',
        timezone: 'America/New_York',
        nextAt: '2024-06-01T13:00:00.000Z',
        nextLocal: '2024-06-01T09:00:00-04:00',
        lastAt: null,
      },
    ])
  })

  it('runs an entry now by name or by its worker, on the leader or with force', async () => {
    const {service, setLeader} = cron({
      crontab: [
        ['0 9 * * *', 'MyApp.Report', {name: 'report', args: {kind: 'daily'}}],
        ['0 10 * * *', 'MyApp.Twice', {name: 'twice-a'}],
        ['0 11 * * *', 'MyApp.Twice', {name: 'twice-b'}],
      ],
    })
    const byName = (await service.runEntry('report')) as {leader: boolean; job: {id: string; args: unknown}}
    expect(byName).toMatchObject({leader: true, job: {args: {kind: 'daily'}}})
    await service.runEntry('report')
    expect(await service.runEntry('MyApp.Report')).toMatchObject({leader: true})
    // Explicit runs are not guarded: three calls, three jobs, with the cron meta but no cron_at.
    const rows = await jobs()
    expect(rows).toHaveLength(3)
    expect(rows[0]!.meta).toEqual({cron: true, cron_expr: '0 9 * * *', cron_name: 'report', cron_tz: 'Etc/UTC'})
    await expect(service.runEntry('reprot')).rejects.toThrow(
      new UnknownCronEntryError(
        'no crontab entry named "reprot" (did you mean "report"?); entries: report, twice-a, twice-b',
      ),
    )
    await expect(service.runEntry('MyApp.Twice')).rejects.toThrow(
      '2 crontab entries use worker MyApp.Twice: name one of twice-a, twice-b',
    )
    setLeader(false)
    expect(await service.runEntry('twice-a')).toMatchObject({leader: false, skipped: expect.any(String) as string})
    expect(await service.runEntry('twice-a', {force: true})).toMatchObject({
      leader: false,
      job: {worker: 'MyApp.Twice'},
    })
  })
})
