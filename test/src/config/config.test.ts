import {describe, expect, it} from 'vitest'
import {createConfig} from '../../../src/instance/create-config.js'
import {ConfigError} from '../../../src/errors.js'

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('createConfig', () => {
  it('applies Oban defaults', () => {
    const config = createConfig({})
    expect(config).toMatchObject({
      name: 'Oban',
      prefix: 'public',
      dispatchCooldown: 5,
      insertTrigger: true,
      shutdownGracePeriod: 15_000,
      stager: {interval: 1000, limit: 5000},
      peer: true,
      notifier: 'postgres',
      queues: {},
      plugins: [],
    })
    expect(config.node).toMatch(/^\S+-\d+$/)
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('normalises queues and durations', () => {
    const config = createConfig({
      queues: {default: 10, events: {limit: 5, paused: true, dispatchCooldown: '20ms'}},
      shutdownGracePeriod: '30s',
    })
    expect(config.queues.default).toEqual({limit: 10, paused: false, dispatchCooldown: 5})
    expect(config.queues.events).toEqual({limit: 5, paused: true, dispatchCooldown: 20})
    expect(config.shutdownGracePeriod).toBe(30_000)
  })

  it('turns leadership off with plugins: false, as Oban does', () => {
    expect(createConfig({plugins: false}).peer).toBe(false)
  })

  it('makes a viewer run no queue, stager or leadership, and refuses queues and peer: true with it', () => {
    expect(createConfig({viewer: true, queues: false})).toMatchObject({
      viewer: true,
      peer: false,
      stager: false,
      queues: {},
    })
    expect(createConfig({}).viewer).toBe(false)
    expect(errorOf(() => createConfig({viewer: true, queues: {default: 1}, peer: true})).message).toBe(
      'config: queues: a viewer runs no queues (viewer: true)\nconfig: peer: a viewer never leads (viewer: true)',
    )
  })

  it('suggests the option a typo meant', () => {
    const error = errorOf(() => createConfig({queue: {default: 10}}))
    expect(error.message).toBe('config: unknown option "queue" (did you mean "queues"?)')
    expect(error.exitCode).toBe(2)
  })

  it('names the file and the path of every problem', () => {
    const error = errorOf(() =>
      createConfig({queues: {default: 0}, shutdownGracePeriod: 'soon', prefix: 'bad-prefix'}, 'oban.config.json'),
    )
    expect(error.message).toContain('oban.config.json: queues.default: expected an integer from 1 to 10,000')
    expect(error.message).toContain('oban.config.json: shutdownGracePeriod: expected a duration')
  })

  it('rejects a bad prefix and a bad queue name', () => {
    expect(errorOf(() => createConfig({prefix: 'x; drop table'})).message).toMatch(/prefix: invalid prefix/)
    expect(errorOf(() => createConfig({queues: {'two words': 1}})).message).toMatch(/invalid queue name "two words"/)
  })

  it('suggests keys inside a queue', () => {
    expect(errorOf(() => createConfig({queues: {default: {limit: 1, pause: true}}})).message).toContain(
      'did you mean "paused"',
    )
  })
})
