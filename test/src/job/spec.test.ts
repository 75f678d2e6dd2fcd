import {describe, expect, it} from 'vitest'
import {JobValidationError} from '../../../src/errors.js'
import {mergeJobOptions, normalizeJobSpec} from '../../../src/job/spec.js'

const now = new Date('2026-01-01T00:00:00.000Z')

function problems(spec: unknown): string[] {
  try {
    normalizeJobSpec(spec, undefined, {now})
  } catch (error) {
    expect(error).toBeInstanceOf(JobValidationError)
    return (error as JobValidationError).issues.map((i) => `${i.field}: ${i.rule}`)
  }
  throw new Error('expected a validation error')
}

describe('normalizeJobSpec', () => {
  it("applies Oban's defaults", () => {
    const job = normalizeJobSpec({worker: 'MyApp.Worker'})
    expect(job).toMatchObject({
      worker: 'MyApp.Worker',
      queue: 'default',
      args: {},
      argsJson: '{}',
      meta: {},
      tags: [],
      priority: 0,
      maxAttempts: 20,
      state: 'available',
      scheduledAt: null,
      unique: null,
      replace: null,
    })
    expect([...job.given].sort()).toEqual(['args', 'worker'])
  })

  it('round-trips args through JSON, as perform will see them', () => {
    const job = normalizeJobSpec({worker: 'W', args: {at: new Date(0), gone: undefined, n: [1, {x: 'y'}]}})
    expect(job.args).toEqual({at: '1970-01-01T00:00:00.000Z', n: [1, {x: 'y'}]})
    expect(job.argsJson).toBe('{"at":"1970-01-01T00:00:00.000Z","n":[1,{"x":"y"}]}')
  })

  it('schedules with scheduleIn (seconds or a unit) and scheduledAt', () => {
    expect(normalizeJobSpec({worker: 'W', scheduleIn: 10}, undefined, {now})).toMatchObject({
      state: 'scheduled',
      scheduledAt: new Date('2026-01-01T00:00:10.000Z'),
    })
    expect(normalizeJobSpec({worker: 'W', scheduleIn: '5m'}, undefined, {now}).scheduledAt).toEqual(
      new Date('2026-01-01T00:05:00.000Z'),
    )
    expect(normalizeJobSpec({worker: 'W', scheduleIn: '30'}, undefined, {now}).scheduledAt).toEqual(
      new Date('2026-01-01T00:00:30.000Z'),
    )
    const at = new Date('2030-01-01T00:00:00Z')
    const job = normalizeJobSpec({worker: 'W', scheduledAt: at})
    expect(job.state).toBe('scheduled')
    expect(job.scheduledAt).toBe(at)
    expect(job.given.has('scheduledAt')).toBe(true)
  })

  it('normalises tags as Oban: trimmed, downcased, empty dropped, de-duplicated', () => {
    expect(normalizeJobSpec({worker: 'W', tags: [' Alpha', 'beta ', 'ALPHA', '', '  ', 'Gamma', 7]}).tags).toEqual([
      'alpha',
      'beta',
      'gamma',
      '7',
    ])
  })

  it('reports every problem with its field and rule', () => {
    expect(problems({worker: '', priority: 12, maxAttempts: 0, queue: 'q'.repeat(128)})).toEqual([
      'worker: must be a string of 1 to 127 characters, got ""',
      `queue: must be a queue name of 1 to 127 characters, without spaces, quotes or backslashes, got "${'q'.repeat(56)}...`,
      'priority: must be an integer from 0 to 9, got 12',
      'maxAttempts: must be an integer from 1 to 2147483647, got 0',
    ])
    expect(problems({args: {}})).toEqual(['worker: is required'])
    expect(problems({worker: 'W', priorty: 1})).toEqual(['priorty: is not a job option (did you mean "priority"?)'])
    expect(problems({worker: 'W', priority: 1.5})).toEqual(['priority: must be an integer from 0 to 9, got 1.5'])
  })

  it('gives a one-line message', () => {
    expect(() => normalizeJobSpec({worker: 'W', priority: 12, tags: 'a'})).toThrow(
      'invalid job: priority: must be an integer from 0 to 9, got 12; tags: must be a list of strings, got "a"',
    )
  })

  it('requires args and meta to be plain JSON objects', () => {
    expect(problems({worker: 'W', args: [1]})).toEqual(['args: must be a plain JSON object, got [1]'])
    expect(problems({worker: 'W', args: 'x'})).toEqual(['args: must be a plain JSON object, got "x"'])
    expect(problems({worker: 'W', meta: new Map()})).toEqual(['meta: must be a plain JSON object, got {}'])
    expect(problems({worker: 'W', args: {n: 1n}})[0]).toMatch(/^args: must be serialisable as JSON: /)
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(problems({worker: 'W', args: circular})[0]).toMatch(/^args: must be serialisable as JSON: /)
    expect(problems({worker: 'W', args: {s: 'a\u0000b'}})[0]).toMatch(/NUL character/)
    expect(normalizeJobSpec({worker: 'W', args: {s: 'a\\u0000b'}}).args).toEqual({s: 'a\\u0000b'})
    expect(problems('W')).toEqual(['job: must be an object such as {worker: "MyApp.Worker", args: {}}, got "W"'])
  })

  it('rejects bad schedules', () => {
    expect(problems({worker: 'W', scheduleIn: 'soon'})).toEqual([
      'scheduleIn: must be a number of seconds or a duration such as "10s", "5m" or "2h", got "soon"',
    ])
    expect(problems({worker: 'W', scheduledAt: new Date(NaN)})).toEqual([
      'scheduledAt: must be a valid Date, got an invalid date',
    ])
    expect(problems({worker: 'W', scheduledAt: new Date(), scheduleIn: 5})).toEqual([
      'scheduleIn: cannot be combined with scheduledAt: give one of them',
    ])
  })
})

describe('unique and replace options', () => {
  it('true means the defaults with an infinite period', () => {
    expect(normalizeJobSpec({worker: 'W', unique: true}).unique).toEqual({
      fields: ['args', 'queue', 'worker'],
      keys: [],
      period: 'infinity',
      states: ['suspended', 'available', 'scheduled', 'executing', 'retryable', 'completed'],
      timestamp: 'inserted_at',
    })
    expect(normalizeJobSpec({worker: 'W', unique: false}).unique).toBeNull()
  })

  it('an object overrides defaults; period 60 by default', () => {
    const unique = normalizeJobSpec({
      worker: 'W',
      unique: {fields: ['worker', 'args'], keys: ['id'], states: 'incomplete', timestamp: 'scheduled_at'},
    }).unique
    expect(unique).toEqual({
      fields: ['worker', 'args'],
      keys: ['id'],
      period: 60,
      states: ['suspended', 'available', 'scheduled', 'executing', 'retryable'],
      timestamp: 'scheduled_at',
    })
    expect(normalizeJobSpec({worker: 'W', unique: {period: '5m'}}).unique?.period).toBe(300)
    expect(normalizeJobSpec({worker: 'W', unique: {period: 'infinity'}}).unique?.period).toBe('infinity')
    expect(normalizeJobSpec({worker: 'W', unique: {states: ['available', 'available']}}).unique?.states).toEqual([
      'available',
    ])
  })

  it('validates unique options', () => {
    expect(
      problems({
        worker: 'W',
        unique: {fields: ['args', 'nope'], period: 0, states: 'some', timestamp: 'now', perod: 1},
      }),
    ).toEqual([
      'unique.perod: is not a unique option (did you mean "period"?)',
      'unique.fields: must be a non-empty list of args, meta, queue, worker, got ["args","nope"]',
      'unique.period: must be a positive number of seconds, a duration such as "5m", or "infinity", got 0',
      'unique.states: must be one of successful, incomplete, scheduled, all or a non-empty list of job states, got "some"',
      'unique.timestamp: must be "inserted_at" or "scheduled_at", got "now"',
    ])
    expect(problems({worker: 'W', unique: {fields: ['worker'], keys: ['id']}})).toEqual([
      'unique.keys: needs "args" or "meta" in unique.fields',
    ])
    expect(problems({worker: 'W', unique: 'yes'})).toEqual([
      'unique: must be true, false or an object of unique options, got "yes"',
    ])
  })

  it('replace: a flat list applies to every state, an object per state', () => {
    const flat = normalizeJobSpec({worker: 'W', replace: ['args', 'max_attempts']}).replace
    expect(flat?.available).toEqual(['args', 'maxAttempts'])
    expect(flat?.cancelled).toEqual(['args', 'maxAttempts'])
    expect(normalizeJobSpec({worker: 'W', replace: {scheduled: ['scheduledAt']}}).replace).toEqual({
      scheduled: ['scheduledAt'],
    })
    expect(problems({worker: 'W', replace: {schedled: ['args']}})).toEqual([
      'replace.schedled: is not a job state (did you mean "scheduled"?)',
    ])
    expect(problems({worker: 'W', replace: ['state']})[0]).toMatch(/^replace: "state" cannot be replaced/)
  })
})

describe('mergeJobOptions', () => {
  it('lets options win, merging unique objects key by key (Worker.new)', () => {
    expect(
      mergeJobOptions(
        {queue: 'a', priority: 1, unique: {period: 30, fields: ['worker']}},
        {queue: 'b', priority: undefined, unique: {period: 60}},
      ),
    ).toEqual({queue: 'b', priority: 1, unique: {period: 60, fields: ['worker']}})
    expect(mergeJobOptions({unique: true}, {unique: {keys: ['id']}})).toEqual({unique: {keys: ['id']}})
    expect(mergeJobOptions({unique: {period: 30}}, {unique: false})).toEqual({unique: false})
  })

  it('merges defaults under a spec', () => {
    const job = normalizeJobSpec({worker: 'W', args: {a: 1}}, {queue: 'mail', maxAttempts: 3})
    expect(job).toMatchObject({queue: 'mail', maxAttempts: 3})
    expect(job.given.has('queue')).toBe(true)
  })
})
