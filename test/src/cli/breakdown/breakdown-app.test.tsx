import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {BreakdownSnapshot, BreakdownSource} from '../../../../src/cli/breakdown/source.js'
import {BreakdownApp} from '../../../../src/cli/breakdown/breakdown-app.js'

/** A source a test drives by hand; the actions change the status as the plugin would. */
function fakeSource(initial: BreakdownSnapshot) {
  let snapshot = initial
  const listeners = new Set<() => void>()
  const set = (changes: Partial<BreakdownSnapshot>) => {
    snapshot = {...snapshot, ...changes}
    for (const listener of listeners) listener()
  }
  const calls: string[] = []
  const source: BreakdownSource = {
    getSnapshot: () => snapshot,
    subscribe: (onChange) => {
      listeners.add(onChange)
      return () => void listeners.delete(onChange)
    },
    pause: async () => {
      calls.push('pause')
      set({status: 'paused'})
    },
    resume: async () => {
      calls.push('resume')
      set({status: 'running'})
    },
    refresh: async () => {
      calls.push('refresh')
      set({time: new Date(2026, 10, 28, 12, 0, 13)})
    },
    close: () => listeners.clear(),
  }
  return {source, set, calls}
}

const time = new Date(2026, 10, 28, 12, 0, 3)
const rows = [
  {queue: 'default', state: 'available' as const, count: 3},
  {queue: 'default', state: 'completed' as const, count: 120},
  {queue: 'events', state: 'executing' as const, count: 1},
]

function app(source: BreakdownSource, onQuit = vi.fn()) {
  const view = render(<BreakdownApp source={source} instance="Oban" node="web-1" intervalMs={10_000} onQuit={onQuit} />)
  // Under CI=true Ink writes a lone "\n" frame when it unmounts: the last real frame is before it.
  const frame = () => view.frames.filter((f) => f !== '\n').at(-1) ?? ''
  return {...view, frame, onQuit}
}

/** Yields to React and Ink until the frame satisfies `check` (or fails after ~2 s). */
async function until(frame: () => string, check: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 200; i++) {
    if (check(frame())) return frame()
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`frame never matched:\n${frame()}`)
}

afterEach(() => cleanup())

describe('BreakdownApp', () => {
  it('shows the header, the table and the keys while running', async () => {
    const {source} = fakeSource({status: 'running', rows, time})
    const {frame} = app(source)
    const text = await until(frame, (t) => t.includes('default'))
    expect(text).toMatchInlineSnapshot(`
      "Breakdown · Oban · node web-1 · every 10s · updated 12:00:03 · running
      ┌────────────┬───────────┬───────┐
      │ queue      │ state     │ count │
      ├────────────┼───────────┼───────┤
      │ default    │ available │     3 │
      │            │ completed │   120 │
      │            │ total     │   123 │
      │ events     │ executing │     1 │
      │ all queues │ total     │   124 │
      └────────────┴───────────┴───────┘
      q quit · p pause · r refresh"
    `)
  })

  it('shows "paused" visibly, and p resumes', async () => {
    const {source} = fakeSource({status: 'paused', rows, time})
    const {frame} = app(source)
    const text = await until(frame, (t) => t.includes('default'))
    expect(text.split('\n')[0]).toContain('· paused')
    expect(text).toContain('q quit · p resume · r count once · paused: no automatic counts')
  })

  it('says when there are no jobs, and before the first count', async () => {
    const {source, set} = fakeSource({status: 'starting'})
    const {frame} = app(source)
    expect(await until(frame, (t) => t.includes('Counting jobs…'))).toContain('not counted yet · starting')
    set({status: 'running', rows: [], time})
    const text = await until(frame, (t) => t.includes('No jobs.'))
    expect(text).toMatchInlineSnapshot(`
      "Breakdown · Oban · node web-1 · every 10s · updated 12:00:03 · running
      No jobs.
      q quit · p pause · r refresh"
    `)
  })

  it('pauses and resumes with p, refreshes with r', async () => {
    const {source, calls} = fakeSource({status: 'running', rows, time})
    const {frame, stdin} = app(source)
    await until(frame, (t) => t.includes('p pause'))
    stdin.write('p')
    await until(frame, (t) => t.includes('p resume'))
    expect(frame().split('\n')[0]).toContain('paused')
    stdin.write('p')
    // A key pressed while an action is in flight is ignored: wait for it to finish.
    await until(frame, (t) => t.includes('p pause') && !t.includes('…'))
    stdin.write('r')
    await until(frame, (t) => t.includes('updated 12:00:13'))
    expect(calls).toEqual(['pause', 'resume', 'refresh'])
  })

  it('quits with q and with Ctrl-C through onQuit', async () => {
    const {source} = fakeSource({status: 'running', rows, time})
    const {frame, stdin, onQuit} = app(source)
    await until(frame, (t) => t.includes('default'))
    stdin.write('q')
    stdin.write('\u0003')
    stdin.write('x')
    await vi.waitFor(() => expect(onQuit).toHaveBeenCalledTimes(2))
  })

  it('updates when a new breakdown arrives, and marks estimates', async () => {
    const {source, set} = fakeSource({status: 'running', rows, time})
    const {frame} = app(source)
    await until(frame, (t) => t.includes('120'))
    set({rows: [{queue: 'default', state: 'completed', count: 2_500_000, approximate: true}], time})
    const text = await until(frame, (t) => t.includes('~2.5M'))
    expect(text).toContain('~ estimated from PostgreSQL statistics')
    expect(text).not.toContain('events')
  })

  it('shows why the plugin is restarting, and a failed action', async () => {
    const {source, set} = fakeSource({status: 'restarting', rows, time, error: 'connection refused'})
    const {frame} = app(source)
    const text = await until(frame, (t) => t.includes('connection refused'))
    expect(text.split('\n')[0]).toContain('restarting')
    set({status: 'running', error: undefined})
    await until(frame, (t) => !t.includes('connection refused') && t.includes('running'))
  })

  it('routes stderr above the frame while mounted, and only then', async () => {
    // Compared by identity, never called.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const before = process.stderr.write
    const {source} = fakeSource({status: 'running', rows, time})
    const view = render(
      <BreakdownApp source={source} instance="Oban" node="web-1" intervalMs={10_000} onQuit={() => {}} captureStderr />,
    )
    await until(
      () => view.lastFrame() ?? '',
      (t) => t.includes('default'),
    )
    expect(process.stderr.write === before).toBe(false)
    process.stderr.write('[Oban] a log line\n')
    // Ink wrote it (to its stderr) and drew the frame again under it.
    expect(view.stderr.frames.join('')).toContain('[Oban] a log line')
    view.unmount()
    expect(process.stderr.write === before).toBe(true)
  })
})
