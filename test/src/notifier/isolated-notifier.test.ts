import {afterEach, describe, expect, it} from 'vitest'
import {InvalidChannelError, NotificationTooLargeError} from '../../../src/errors.js'
import {createLogger} from '../../../src/telemetry/logger.js'
import {IsolatedNotifier} from '../../../src/notifier/isolated-notifier.js'
import type {Payload} from '../../../src/notifier/notifier.js'
import {attach, detach} from '../../../src/telemetry/telemetry.js'
import {eventually} from '../../helpers/oban-db.js'

const notifiers: IsolatedNotifier[] = []
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop()
})

function isolated(ident = 'Oban.ts-1'): {n: IsolatedNotifier; logs: string[]} {
  const logs: string[] = []
  const n = new IsolatedNotifier({
    prefix: 'public',
    ident,
    logger: createLogger({level: 'debug', write: (line) => logs.push(line)}),
    instance: 'Oban',
  })
  notifiers.push(n)
  return {n, logs}
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('IsolatedNotifier', () => {
  it('delivers asynchronously to its own subscribers, after the codec round trip', async () => {
    const {n} = isolated()
    await n.start()
    expect(n.status).toBe('listening')
    const received: [Payload, string][] = []
    const unlisten = n.listen('insert', (p, c) => received.push([p, c]))
    await unlisten.ready
    const payload = {queue: 'default', at: new Date('2026-01-02T03:04:05Z'), skip: undefined}
    await n.notify('insert', [payload, {queue: 'other'}])
    expect(received).toEqual([])
    await eventually(() => received.length === 2)
    // Exactly what a remote node would receive: JSON semantics (dates as strings, no undefined).
    expect(received).toEqual([
      [{queue: 'default', at: '2026-01-02T03:04:05.000Z'}, 'insert'],
      [{queue: 'other'}, 'insert'],
    ])
    expect(received[0]![0]).not.toBe(payload)
  })

  it('round-trips large payloads through compression and refuses too-large ones like Postgres', async () => {
    const {n} = isolated()
    const received: Payload[] = []
    n.listen('gossip', (p) => received.push(p))
    const big = {rows: Array.from({length: 300}, (_, i) => ({queue: `q${i}`}))}
    await n.notify('gossip', big)
    const random = Array.from({length: 12_000}, () => Math.floor(Math.random() * 16).toString(16)).join('')
    await expect(n.notify('gossip', [{ok: true}, {random}])).rejects.toBeInstanceOf(NotificationTooLargeError)
    await expect(n.notify('no spaces', {})).rejects.toBeInstanceOf(InvalidChannelError)
    await eventually(() => received.length === 1)
    await tick()
    expect(received).toEqual([big])
  })

  it('filters by ident as Oban does', async () => {
    const {n} = isolated('Oban.ts-1')
    const received: Payload[] = []
    n.listen('signal', (p) => received.push(p))
    await n.notify('signal', [
      {action: 'pause', ident: 'any', queue: 'a'},
      {action: 'pause', ident: 'Oban.ts-1', queue: 'b'},
      {action: 'pause', ident: 'Oban.other', queue: 'c'},
      {action: 'pkill', job_id: 1},
    ])
    await eventually(() => received.length === 3)
    await tick()
    expect(received.map((p) => p.queue ?? p.action)).toEqual(['a', 'b', 'pkill'])
  })

  it('keeps delivering to other handlers when one throws, and logs it', async () => {
    const {n, logs} = isolated()
    const received: Payload[] = []
    n.listen('insert', () => {
      throw new Error('boom')
    })
    n.listen('insert', (p) => received.push(p))
    await n.notify('insert', {queue: 'q'})
    await eventually(() => received.length === 1)
    expect(logs.some((l) => l.includes('boom'))).toBe(true)
  })

  it('stops delivering after unsubscribe, and does not deliver across instances', async () => {
    const {n} = isolated()
    const {n: other} = isolated()
    const mine: Payload[] = []
    const theirs: Payload[] = []
    const unlisten = n.listen('insert', (p) => mine.push(p))
    other.listen('insert', (p) => theirs.push(p))
    await n.notify('insert', {queue: 'one'})
    await eventually(() => mine.length === 1)
    unlisten()
    unlisten()
    await n.notify('insert', {queue: 'two'})
    await tick()
    await tick()
    expect(mine).toEqual([{queue: 'one'}])
    expect(theirs).toEqual([])
  })

  it('drops pending deliveries on stop and delivers nothing afterwards; stop is idempotent', async () => {
    const {n} = isolated()
    const received: Payload[] = []
    n.listen('insert', (p) => received.push(p))
    await n.notify('insert', {queue: 'pending'})
    await n.stop()
    await n.stop()
    expect(n.status).toBe('stopped')
    await n.notify('insert', {queue: 'late'})
    await tick()
    await tick()
    expect(received).toEqual([])
    expect(n.onReconnect(() => {})).toBeTypeOf('function')
  })

  it('emits notifier:notify telemetry like the Postgres notifier', async () => {
    const events: string[] = []
    attach('isolated-test', ['notifier:notify:start', 'notifier:notify:stop'], (e, _m, meta) =>
      events.push(`${e} ${String(meta.channel)} ${String(meta.instance)}`),
    )
    try {
      const {n} = isolated()
      await n.notify('insert', {queue: 'q'})
    } finally {
      detach('isolated-test')
    }
    expect(events).toEqual(['notifier:notify:start insert Oban', 'notifier:notify:stop insert Oban'])
  })
})
