import {describe, expect, it} from 'vitest'
import {z} from 'zod'
import {z as z3} from 'zod/v3'
import {definePlugin, isPlugin} from '../../../src/plugin/define.js'
import {ConfigError, InstanceNotRunningError} from '../../../src/errors.js'
import type {PluginDefinition, PluginService} from '../../../src/plugin/plugin.js'

const service: PluginService = {start() {}, stop() {}}

function problemsOf(definition: unknown): string {
  try {
    definePlugin(definition as PluginDefinition<unknown, PluginService, never>)
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('definePlugin', () => {
  it('returns a frozen plugin with one helper per interface function', () => {
    const Counter = definePlugin({
      name: 'Counter',
      options: z.strictObject({step: z.number().default(1)}),
      create: () => service,
      functions: (fn) => ({
        bump: fn({
          description: 'Adds one',
          args: [{name: 'by', description: 'How much', type: 'integer'}],
          run: () => 1,
        }),
      }),
    })
    expect(isPlugin(Counter)).toBe(true)
    expect(Counter.pluginName).toBe('Counter')
    expect(Object.isFrozen(Counter)).toBe(true)
    expect(typeof Counter.bump).toBe('function')
    expect(isPlugin({kind: 'oban-ts.plugin', pluginName: 'X'})).toBe(false)
  })

  it('rejects a bad name, a missing create and a non-zod options value, all at once', () => {
    expect(problemsOf({name: 'my plugin', options: {interval: 1}, extra: true})).toBe(
      'plugin "my plugin": extra: is not a plugin definition key; name: must be letters, digits and underscores starting with a letter (dots between segments), got "my plugin"; options: must be a zod schema, e.g. z.strictObject({interval: durationOption()}); create: must be a function (context, options) => service',
    )
    expect(problemsOf({name: 'Old', options: z3.object({every: z3.number()}), create: () => service})).toBe(
      'plugin "Old": options: a zod 3 schema; oban-ts checks options with zod 4: import {z} from \'oban-ts\' (or install zod@^4)',
    )
    expect(problemsOf({name: './plugins/x.ts', create: () => service})).toMatch(/^plugin "\.\/plugins\/x\.ts": name: /)
    expect(problemsOf({name: 'MyApp.Plugins.Ok', create: () => service, leaderOnly: 'yes'})).toBe(
      'plugin "MyApp.Plugins.Ok": leaderOnly: must be a boolean',
    )
  })

  it.each(['list', 'help', 'call', 'kind', 'pluginName', 'definition', 'then', 'toString', 'constructor'])(
    'refuses a function named %s',
    (name) => {
      const message = problemsOf({
        name: 'Reserved',
        create: () => service,
        functions: {[name]: {description: 'x', run: () => undefined}},
      })
      expect(message).toContain(`functions.${name}: "${name}" is reserved`)
    },
  )

  it('checks function and argument declarations', () => {
    const message = problemsOf({
      name: 'Args',
      create: () => service,
      functions: {
        'do-it': {description: 'x', run: () => undefined},
        go: {
          description: '',
          run: 'no',
          args: [
            {name: 'a', description: 'x', type: 'string'},
            {name: 'a', description: 'x', type: 'string'},
            {name: 'B', description: 'x', type: 'date', required: 'yes', default: 1},
          ],
        },
      },
    })
    expect(message.split('; ')).toEqual([
      'plugin "Args": functions.do-it: a function name must be a camelCase identifier',
      'functions.go.description: must be a one-line description',
      'functions.go.run: must be a function (service, args) => result',
      'functions.go.args[1].name: "a" is declared twice',
      'functions.go.args[2].default: is not an argument declaration key',
      'functions.go.args[2].name: must be a camelCase identifier, got "B"',
      'functions.go.args[2].type: must be one of string, integer, number, boolean, duration, json, got "date"',
      'functions.go.args[2].required: must be a boolean',
    ])
  })

  it('helpers reject with a typed error when no such instance runs in this process', async () => {
    const Lonely = definePlugin({
      name: 'Lonely',
      create: () => service,
      functions: (fn) => ({ping: fn({description: 'Pong', run: () => 'pong'})}),
    })
    await expect(Lonely.ping()).rejects.toThrow(InstanceNotRunningError)
    await expect(Lonely.ping('Elsewhere')).rejects.toThrow(
      'no Oban instance named "Elsewhere" is running in this process',
    )
  })
})
