import {describe, expect, expectTypeOf, it} from 'vitest'
import {z} from 'zod'
import {definePlugin} from '../../../src/plugin/define.js'
import {PluginBase} from '../../../src/plugin/base.js'
import {whereis} from '../../../src/plugin/registry.js'
import type {PluginHandle} from '../../../src/plugin/plugin.js'
import {InstanceNotRunningError} from '../../../src/errors.js'

/*
 * The types users get from definePlugin: `npm run typecheck` (CI) compiles this file, so each
 * `@ts-expect-error` fails the build if the mistake it marks stops being an error, and each
 * `expectTypeOf` if a type drifts. The run-time half checks that the call forms the types allow
 * reach the instance they name.
 */

class StatsService extends PluginBase<{interval: number}> {
  exploded = 0
  explode(message: string, times = 1): {exploded: number; message: string} {
    this.exploded += times
    return {exploded: this.exploded, message}
  }
  async check(): Promise<Record<string, number>> {
    return Promise.resolve({mailers: this.exploded})
  }
}

const Stats = definePlugin({
  name: 'Stats',
  options: z.strictObject({interval: z.number().default(1000)}),
  create: (context, options) => new StatsService(context, options),
  functions: (fn) => ({
    explode: fn({
      description: 'Explode',
      args: [
        {name: 'message', description: 'What to say', type: 'string', required: true},
        {name: 'times', description: 'How often', type: 'integer'},
        {name: 'after', description: 'Delay', type: 'duration'},
      ],
      run: (service, args) => {
        expectTypeOf(service).toEqualTypeOf<StatsService>()
        expectTypeOf(args).toEqualTypeOf<{message: string; times?: number; after?: number}>()
        return service.explode(args.message, args.times)
      },
    }),
    check: fn({description: 'Check now', run: (service) => service.check()}),
    tune: fn({
      description: 'All optional',
      args: [{name: 'level', description: 'Level', type: 'number'}],
      run: (_service, {level}) => level ?? 0,
    }),
  }),
})

describe('plugin types', () => {
  it('types helpers by the declared arguments and the results of run', () => {
    expectTypeOf(Stats.explode).toBeCallableWith({message: 'hi'})
    expectTypeOf(Stats.explode).toBeCallableWith('App', {message: 'hi', times: 2, after: '5s'})
    expectTypeOf(Stats.explode).returns.resolves.toEqualTypeOf<{exploded: number; message: string}>()
    expectTypeOf(Stats.check).returns.resolves.toEqualTypeOf<Record<string, number>>()
    expectTypeOf(Stats.check).toBeCallableWith('App')
    expectTypeOf(Stats.tune).toBeCallableWith()
    expectTypeOf(Stats.tune).toBeCallableWith({level: 2})
    expectTypeOf(Stats.tune).returns.resolves.toEqualTypeOf<number>()

    const wrong = () => {
      // @ts-expect-error a misspelt argument
      void Stats.explode('App', {mesage: 'typo'})
      // @ts-expect-error a wrongly typed argument
      void Stats.explode('App', {message: 42})
      // @ts-expect-error a required argument missing
      void Stats.explode()
      // @ts-expect-error a function with no arguments takes none
      void Stats.check({force: true})
      void Stats.check().then((r) => expectTypeOf(r.mailers).toEqualTypeOf<number | undefined>())
    }
    expect(typeof wrong).toBe('function')
    expect('boom' in Stats).toBe(false)
    expectTypeOf(Stats).not.toHaveProperty('boom')
  })

  it('types handles found by the plugin object', () => {
    const handle = whereis('Other', {plugin: Stats})
    expectTypeOf(handle).toEqualTypeOf<PluginHandle<typeof Stats> | undefined>()
    expectTypeOf(handle?.restarts).toEqualTypeOf<number | undefined>()
    const calls = async (h: PluginHandle<typeof Stats>) => {
      expectTypeOf(await h.call('explode', {message: 'x'})).toEqualTypeOf<{exploded: number; message: string}>()
      // @ts-expect-error misspelt function
      await h.call('explod', {message: 'x'})
      // @ts-expect-error wrong argument type
      await h.call('explode', {message: 1})
    }
    expect(typeof calls).toBe('function')
    expectTypeOf(whereis('Other', {plugin: 'Stats'})).toEqualTypeOf<PluginHandle | undefined>()
    expect(handle).toBeUndefined()
  })

  it('calls the default instance without naming it, or the instance named first', async () => {
    await expect(Stats.explode({message: 'hi'})).rejects.toThrow(new InstanceNotRunningError('Oban'))
    await expect(Stats.explode('App', {message: 'hi'})).rejects.toThrow(new InstanceNotRunningError('App'))
    await expect(Stats.check()).rejects.toThrow(new InstanceNotRunningError('Oban'))
  })
})
