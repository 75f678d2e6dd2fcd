import {describe, expect, it} from 'vitest'
import {createLogger} from '../../../src/telemetry/logger.js'
import {Supervisor, type CrashReport, type Incarnation} from '../../../src/plugin/supervisor.js'
import {eventually} from '../../helpers/oban-db.js'

const policy = {maxRestarts: 2, period: 60_000, backoff: 10, maxBackoff: 40}

function harness(options: {startTimeout?: number; stopTimeout?: number} = {}) {
  const lines: string[] = []
  const crashes: CrashReport[] = []
  const started: number[] = []
  const stopped: string[] = []
  const supervisor = new Supervisor<{n: number}>({
    policy,
    logger: createLogger({level: 'debug', write: (line) => lines.push(line)}),
    events: {
      started: (_id, service, {restarts}) => started.push(restarts + service.n * 0),
      crashed: (report) => crashes.push(report),
      stopped: (id) => stopped.push(id),
    },
    ...options,
  })
  return {supervisor, lines, crashes, started, stopped}
}

describe('Supervisor', () => {
  it('restarts a crashing child with doubling backoff, then gives it up past the intensity', async () => {
    const {supervisor, crashes, started} = harness()
    const incarnations: Incarnation[] = []
    let stops = 0
    await supervisor.startChild({
      id: 'Crashy',
      start: async (incarnation) => {
        incarnations.push(incarnation)
        return {n: incarnations.length}
      },
      stop: async () => {
        stops++
      },
    })
    expect(supervisor.child('Crashy')?.status).toBe('running')
    for (let i = 0; i < 3; i++) {
      const current = incarnations[i]!
      current.crash(new Error(`boom ${i}`))
      expect(current.signal.aborted).toBe(true)
      expect(supervisor.child('Crashy')?.status).toMatch(/restarting|failed/)
      if (i < 2) await eventually(() => supervisor.child('Crashy')?.status === 'running', 2000, 'restart')
    }
    await eventually(() => supervisor.child('Crashy')?.status === 'failed', 2000, 'failed')
    expect(crashes.map((c) => [c.action, c.delay, c.recent, c.phase, c.error.message])).toEqual([
      ['restart', 10, 1, 'run', 'boom 0'],
      ['restart', 20, 2, 'run', 'boom 1'],
      ['give-up', undefined, 3, 'run', 'boom 2'],
    ])
    expect(started).toEqual([0, 1, 2])
    expect(stops).toBe(3)
    expect(supervisor.child('Crashy')).toMatchObject({restarts: 2, lastError: new Error('boom 2')})
    // A late crash of an old incarnation is ignored.
    incarnations[0]!.crash(new Error('stale'))
    await supervisor.stop()
    expect(supervisor.child('Crashy')?.status).toBe('failed')
  })

  it('treats a start that throws as a crash, and a crash reported during start too', async () => {
    const {supervisor, crashes} = harness()
    let attempts = 0
    await supervisor.startChild({
      id: 'Flaky',
      start: async (incarnation) => {
        attempts++
        if (attempts === 1) throw new Error('cannot start')
        if (attempts === 2) incarnation.crash(new Error('crashed while starting'))
        return {n: attempts}
      },
      stop: async () => undefined,
    })
    expect(supervisor.child('Flaky')?.status).toBe('restarting')
    await eventually(() => supervisor.child('Flaky')?.status === 'running', 2000, 'third attempt running')
    expect(crashes.map((c) => [c.phase, c.error.message])).toEqual([
      ['start', 'cannot start'],
      ['run', 'crashed while starting'],
    ])
    await supervisor.stop()
    expect(supervisor.child('Flaky')?.status).toBe('stopped')
  })

  it('gives up a start that never settles, and stops it if it starts late', async () => {
    const {supervisor, crashes} = harness({startTimeout: 20})
    let release: (() => void) | undefined
    let lateStopped = false
    await supervisor.startChild({
      id: 'Slow',
      start: () =>
        new Promise<{n: number}>((resolve) => {
          release = () => resolve({n: 1})
        }),
      stop: async () => {
        lateStopped = true
      },
    })
    expect(crashes[0]?.error.message).toBe('Slow did not finish starting within 20ms')
    release?.()
    await eventually(() => lateStopped, 1000, 'late start stopped')
    await supervisor.stop()
  })

  it('stops children in reverse order, cancels pending restarts, survives a stop that throws or hangs; idempotent', async () => {
    const {supervisor, stopped, lines} = harness({stopTimeout: 30})
    const order: string[] = []
    await supervisor.startChild({
      id: 'First',
      start: async () => ({n: 1}),
      stop: async () => {
        order.push('First')
        throw new Error('stop failed')
      },
    })
    await supervisor.startChild({
      id: 'Second',
      start: async () => ({n: 2}),
      stop: () => {
        order.push('Second')
        return new Promise<void>(() => undefined)
      },
    })
    await supervisor.startChild({
      id: 'Third',
      start: async () => {
        throw new Error('never starts')
      },
      stop: async () => undefined,
    })
    expect(supervisor.child('Third')?.status).toBe('restarting')
    await Promise.all([supervisor.stop(), supervisor.stop()])
    expect(order).toEqual(['Second', 'First'])
    expect(stopped).toEqual(['Second', 'First'])
    expect(lines).toEqual([
      'warn: Second did not stop within 30ms; leaving it behind',
      'warn: First failed to stop: stop failed',
    ])
    expect(supervisor.child('Third')?.status).toBe('stopped')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(supervisor.child('Third')?.status).toBe('stopped')
  })
})
