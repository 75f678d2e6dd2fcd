import {describe, expect, it} from 'vitest'
import {z} from 'zod'
import {parsePluginSpec} from '../../../src/cli/plugin-spec.js'
import {createConfig} from '../../../src/instance/create-config.js'
import {definePlugin} from '../../../src/plugin/define.js'
import {ConfigError} from '../../../src/errors.js'
import {durationOption, validatePluginOptions} from '../../../src/plugin/options.js'
import {Breakdown} from '../../../plugins/index.js'

const Sampler = definePlugin({
  name: 'Sampler',
  options: z.strictObject({
    interval: durationOption({default: '1s', min: '10ms', max: '1h'}),
    limit: z.number().int().positive().default(10),
    verbose: z.boolean().default(false),
    queues: z.array(z.string()).default([]),
    label: z.string().optional(),
  }),
  create: () => ({start() {}, stop() {}}),
})
const Bare = definePlugin({name: 'Bare', create: () => ({start() {}, stop() {}})})

function messageOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('durationOption', () => {
  it('takes milliseconds or strings with a unit, applies the default through the same parsing', () => {
    const schema = durationOption({default: '10s', min: '100ms'})
    expect(schema.parse(undefined)).toBe(10_000)
    expect(schema.parse('250ms')).toBe(250)
    expect(schema.parse(1500)).toBe(1500)
    expect(schema.parse('2m')).toBe(120_000)
  })

  it('explains what a duration is when it gets something else', () => {
    const schema = durationOption({min: '100ms', max: '1h'})
    const message = (value: unknown) => schema.safeParse(value).error?.issues[0]?.message
    expect(message(0)).toBe('expected a duration of at least 100ms, got 0')
    expect(message('abc')).toBe(
      'expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got "abc"',
    )
    expect(message(true)).toBe(
      'expected a duration such as 500ms, 10s, 5m, 2h, 7d or a number of milliseconds, got true',
    )
    expect(message('2h')).toBe('expected a duration of at most 1h, got "2h"')
  })
})

describe('plugin options', () => {
  it('are validated with the plugin schema, defaults applied', () => {
    expect(validatePluginOptions(Sampler, {interval: '5s', label: 'x'}, 'plugins[0] (Sampler)')).toEqual({
      interval: 5000,
      limit: 10,
      verbose: false,
      queues: [],
      label: 'x',
    })
    expect(validatePluginOptions(Bare, undefined, 'plugins[0] (Bare)')).toEqual({})
  })

  it('name the entry and the option: unknown option with a suggestion, wrong type, every problem at once', () => {
    expect(messageOf(() => validatePluginOptions(Sampler, {intervl: '5s', limit: 'ten'}, 'plugins[1] (Sampler)'))).toBe(
      [
        'plugins[1] (Sampler): limit: Invalid input: expected number, received string',
        'plugins[1] (Sampler): unknown option "intervl" (did you mean "interval"?)',
      ].join('\n'),
    )
    expect(messageOf(() => validatePluginOptions(Bare, {x: 1}, 'plugins[0] (Bare)'))).toBe(
      'plugins[0] (Bare): unknown option "x" (Bare takes no options)',
    )
    expect(messageOf(() => validatePluginOptions(Sampler, 5, 'plugins[0] (Sampler)'))).toBe(
      'plugins[0] (Sampler): expected an object of options, got 5',
    )
  })

  it('from --plugin: strings are coerced to what each option accepts', () => {
    const [, options] = parsePluginSpec('Sampler:interval=20ms,limit=5,verbose=true,queues=["a","b"],label=7') as [
      string,
      Record<string, unknown>,
    ]
    expect(validatePluginOptions(Sampler, options, '--plugin Sampler', true)).toEqual({
      interval: 20,
      limit: 5,
      verbose: true,
      queues: ['a', 'b'],
      label: '7',
    })
    expect(messageOf(() => validatePluginOptions(Sampler, {limit: 'x'}, '--plugin Sampler', true))).toBe(
      '--plugin Sampler: limit: Invalid input: expected number, received string',
    )
  })
})

describe('plugins in a config', () => {
  it('accepts plugin objects alone or with options, names and paths', () => {
    const config = createConfig({plugins: [Sampler, [Breakdown, {interval: '5s'}], 'Pruner', ['./mine.ts', {a: 1}]]})
    expect(config.plugins).toHaveLength(4)
    expect(config.pluginSupervision).toEqual({
      maxRestarts: 5,
      period: 60_000,
      onExhausted: 'isolate',
      backoff: 100,
      maxBackoff: 10_000,
    })
  })

  it("validates plugin objects' options with the config, naming the source", () => {
    expect(messageOf(() => createConfig({plugins: [[Breakdown, {interval: 0}]]}, 'oban.config.ts'))).toBe(
      'oban.config.ts: plugins[0] (Breakdown): interval: expected a duration of at least 100ms, got 0',
    )
    expect(messageOf(() => createConfig({plugins: [[Breakdown, {intervall: '1s'}]]}))).toBe(
      'config: plugins[0] (Breakdown): unknown option "intervall" (did you mean "interval"?)',
    )
  })

  it('refuses the same plugin twice and entries of the wrong shape', () => {
    expect(messageOf(() => createConfig({plugins: [Breakdown, [Breakdown, {interval: '1s'}]]}))).toBe(
      'config: plugins[1] (Breakdown): Breakdown is already configured by plugins[0] (Breakdown); configure each plugin once, with all its options',
    )
    expect(messageOf(() => createConfig({plugins: ['Breakdown', Breakdown]}))).toMatch(/already configured/)
    expect(messageOf(() => createConfig({plugins: [42, ['Breakdown', {}, 'x'], {name: 'Fake'}]}))).toBe(
      [
        "config: plugins[0]: expected a plugin, a built-in plugin's name, a module path, or [plugin, options], got 42",
        'config: plugins[1]: expected a plugin, a built-in plugin\'s name, a module path, or [plugin, options], got ["Breakdown",{},"x"]',
        'config: plugins[2]: expected a plugin, a built-in plugin\'s name, a module path, or [plugin, options], got {"name":"Fake"}',
      ].join('\n'),
    )
  })

  it('validates pluginSupervision', () => {
    expect(
      createConfig({pluginSupervision: {maxRestarts: 0, period: '10s', onExhausted: 'escalate', backoff: 0}})
        .pluginSupervision,
    ).toEqual({maxRestarts: 0, period: 10_000, onExhausted: 'escalate', backoff: 0, maxBackoff: 10_000})
    expect(messageOf(() => createConfig({pluginSupervision: {maxRestart: 1, onExhausted: 'crash'}}))).toBe(
      [
        'config: pluginSupervision.onExhausted: Invalid option: expected one of "isolate"|"escalate"',
        'config: pluginSupervision: unknown option "maxRestart" (did you mean "maxRestarts"?)',
      ].join('\n'),
    )
  })
})

describe('--plugin NAME[:KEY=VALUE,...]', () => {
  it('parses names, paths and options', () => {
    expect(parsePluginSpec('Pruner')).toEqual(['Pruner', {}])
    expect(parsePluginSpec(' Breakdown:interval=10s ')).toEqual(['Breakdown', {interval: '10s'}])
    expect(parsePluginSpec('./plugins/mine.ts:a=1,b={"x":[1,2]},c=')).toEqual([
      './plugins/mine.ts',
      {a: '1', b: '{"x":[1,2]}', c: ''},
    ])
    expect(parsePluginSpec('C:\\plugins\\mine.ts:a=1')).toEqual(['C:\\plugins\\mine.ts', {a: '1'}])
  })

  it.each([
    ['', '--plugin "": expected a plugin name or module path, e.g. Breakdown or Breakdown:interval=10s'],
    ['Breakdown:', '--plugin "Breakdown:": expected KEY=VALUE pairs after "Breakdown:", e.g. Breakdown:interval=10s'],
    [
      'Breakdown:interval',
      '--plugin "Breakdown:interval": "interval" is not KEY=VALUE; expected e.g. Breakdown:interval=10s',
    ],
    ['Breakdown:a=1,a=2', '--plugin "Breakdown:a=1,a=2": option "a" is given twice'],
    ['Breakdown:=1', '--plugin "Breakdown:=1": "=1" is not KEY=VALUE; expected e.g. Breakdown:interval=10s'],
  ])('refuses %j', (spec, message) => {
    expect(messageOf(() => parsePluginSpec(spec))).toBe(message)
  })
})

describe('--plugin values of the right type but a wrong value', () => {
  it('are converted before validation, so the error is about the value', () => {
    const message = messageOf(() => validatePluginOptions(Sampler, {limit: '-1'}, '--plugin Sampler', true))
    expect(message).toMatch(/^--plugin Sampler: limit: /)
    expect(message).not.toMatch(/expected number, received string/)
  })
})
