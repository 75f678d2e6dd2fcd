import {describe, expect, it} from 'vitest'
import {PluginArgumentError} from '../../../src/errors.js'
import {parsePluginArg} from '../../../src/plugin/arguments.js'
import {noConfigLine} from '../../../src/cli/breakdown/start-breakdown.js'
import {Pruner} from '../../../plugins/index.js'

describe('parsePluginArg', () => {
  const force = {name: 'force', description: 'Act anyway', type: 'boolean'} as const
  const count = {name: 'count', description: 'How many', type: 'integer'} as const

  it('parses text into the declared type', () => {
    expect(parsePluginArg(Pruner, 'prune', force, 'yes')).toBe(true)
    expect(parsePluginArg(Pruner, 'prune', count, ' 12 ')).toBe(12)
  })

  it('names the text that was typed when it is not of the type', () => {
    expect(() => parsePluginArg(Pruner, 'prune', count, '3x')).toThrow(PluginArgumentError)
    expect(() => parsePluginArg(Pruner, 'prune', count, '3x')).toThrow(/count: expected an integer, got "3x"/)
    expect(() => parsePluginArg(Pruner, 'prune', force, 'maybe')).toThrow(/force: expected true or false, got "maybe"/)
  })
})

describe('noConfigLine', () => {
  it('says what runs without a config file, flags included', () => {
    expect(noConfigLine({default: {limit: 10}}, ['Breakdown'])).toBe(
      'No oban.config.* found: running queue default (limit 10) with the Breakdown plugin.',
    )
    expect(noConfigLine({a: {limit: 2}, b: {limit: 3}}, [['Breakdown', {}], Pruner, 'Lifeline'])).toBe(
      'No oban.config.* found: running queues a (limit 2), b (limit 3) with the Breakdown, Pruner, Lifeline plugins.',
    )
    expect(noConfigLine({}, [])).toBe('No oban.config.* found: running no queue.')
  })
})
