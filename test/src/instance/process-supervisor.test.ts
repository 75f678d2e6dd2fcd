import {describe, expect, it} from 'vitest'
import {ProcessSupervisor, type SupervisorEvent} from '../../../src/instance/process-supervisor.js'
import {waitFor} from '../../helpers/wait.js'

/** A child that runs `code` in Node: real processes, as the supervisor runs `oban start`. */
const node = (code: string) => ({command: process.execPath, args: ['-e', code]})

// Stays up until SIGTERM, then exits 0 after a short drain; says so on stdout first.
// The handler is installed before 'up' is printed: a SIGTERM sent on seeing 'up' must find it.
const DRAINER = `process.on('SIGTERM', () => setTimeout(() => { console.log('drained'); process.exit(0) }, 200)); setInterval(() => {}, 1000); console.log('up')`

describe('ProcessSupervisor', () => {
  it('restarts a crashing child with a delay that doubles up to the cap', async () => {
    const events: SupervisorEvent[] = []
    const supervisor = new ProcessSupervisor({
      count: 1,
      spec: () => node('process.exit(3)'),
      backoff: {initialMs: 50, maxMs: 200, resetAfterMs: 60_000},
      onEvent: (event) => events.push(event),
    })
    supervisor.start()
    const restarts = () => events.filter((e) => e.type === 'restarting')
    await waitFor(() => restarts().length >= 5, {timeoutMs: 60_000})
    await supervisor.stop()
    expect(
      restarts()
        .map((e) => (e as {delayMs: number}).delayMs)
        .slice(0, 5),
    ).toEqual([50, 100, 200, 200, 200])
    expect(events.find((e) => e.type === 'exited')).toMatchObject({code: 3, stopping: false})
  })

  it('starts the delays over after a child ran for resetAfterMs', async () => {
    const events: SupervisorEvent[] = []
    let starts = 0
    const supervisor = new ProcessSupervisor({
      count: 1,
      // Two quick crashes, then one long-lived run that also ends in a crash.
      spec: () => node(++starts <= 2 ? 'process.exit(1)' : 'setTimeout(() => process.exit(1), 1500)'),
      backoff: {initialMs: 20, maxMs: 10_000, resetAfterMs: 1_000},
      onEvent: (event) => events.push(event),
    })
    supervisor.start()
    const delays = () => events.filter((e) => e.type === 'restarting').map((e) => (e as {delayMs: number}).delayMs)
    await waitFor(() => delays().length >= 3, {timeoutMs: 60_000})
    await supervisor.stop()
    expect(delays().slice(0, 3)).toEqual([20, 40, 20])
  })

  it('stops every child with one signal, waits for their drain and restarts none', async () => {
    const lines: string[] = []
    const events: SupervisorEvent[] = []
    const supervisor = new ProcessSupervisor({
      count: 3,
      spec: () => node(DRAINER),
      onLine: (index, stream, line) => lines.push(`${index} ${stream} ${line}`),
      onEvent: (event) => events.push(event),
    })
    supervisor.start()
    await waitFor(() => lines.filter((l) => l.endsWith('stdout up')).length === 3, {timeoutMs: 60_000})
    const pids = supervisor.pids()
    expect(new Set(pids).size).toBe(3)
    const exits = await supervisor.stop('SIGTERM')
    expect(exits).toEqual([1, 2, 3].map((index) => ({index, code: 0, signal: null})))
    expect(lines.filter((l) => l.endsWith('stdout drained')).sort()).toEqual([
      '1 stdout drained',
      '2 stdout drained',
      '3 stdout drained',
    ])
    expect(events.filter((e) => e.type === 'restarting')).toEqual([])
    for (const pid of pids) expect(() => process.kill(pid!, 0)).toThrow()
  })

  it('restarts a child killed outright, under the same index, with a new pid', async () => {
    const lines: string[] = []
    const supervisor = new ProcessSupervisor({
      count: 2,
      spec: () => node(DRAINER),
      backoff: {initialMs: 50},
      onLine: (index, _stream, line) => lines.push(`${index} ${line}`),
    })
    supervisor.start()
    await waitFor(() => lines.filter((l) => l.endsWith(' up')).length === 2, {timeoutMs: 60_000})
    const [first, second] = supervisor.pids()
    process.kill(second!, 'SIGKILL')
    await waitFor(() => lines.filter((l) => l === '2 up').length === 2, {timeoutMs: 60_000})
    const after = supervisor.pids()
    expect(after[0]).toBe(first)
    expect(after[1]).not.toBe(second)
    expect(after[1]).toBeGreaterThan(0)
    expect(await supervisor.stop()).toEqual([
      {index: 1, code: 0, signal: null},
      {index: 2, code: 0, signal: null},
    ])
  })

  it('refuses a count that is not a positive integer', () => {
    expect(() => new ProcessSupervisor({count: 0, spec: () => node('')})).toThrow(RangeError)
  })
})
