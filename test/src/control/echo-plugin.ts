import {definePlugin} from '../../../src/plugin/define.js'
import {PluginBase} from '../../../src/plugin/base.js'

class EchoService extends PluginBase {
  override start(): void {}
}

/** A test plugin whose functions take typed arguments, throw, stall and return large results. */
export const Echo = definePlugin({
  name: 'Echo',
  description: 'Echoes its arguments',
  create: (context) => new EchoService(context, undefined),
  functions: (fn) => ({
    echo: fn({
      description: 'Returns its arguments',
      args: [
        {name: 'text', description: 'What to say', type: 'string', required: true},
        {name: 'times', description: 'How often', type: 'integer'},
        {name: 'delay', description: 'Wait this long first', type: 'duration'},
      ],
      run: async (_service, args) => {
        if (typeof args.delay === 'number') await new Promise((resolve) => setTimeout(resolve, args.delay as number))
        return {text: String(args.text).repeat(typeof args.times === 'number' ? args.times : 1), args}
      },
    }),
    boom: fn({
      description: 'Throws',
      run: () => {
        throw new Error('boom from the plugin')
      },
    }),
    big: fn({
      description: 'Returns SIZE rows',
      args: [{name: 'size', description: 'How many rows', type: 'integer', required: true}],
      run: (_service, args) =>
        Array.from({length: args.size}, (_, i) => ({i, noise: ((i * 7919) % 10007).toString(36)})),
    }),
  }),
})
