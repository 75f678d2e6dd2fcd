import {describe, expect, it} from 'vitest'
import {
  register,
  registerInstance,
  unregisterInstance,
  whereis,
  AlreadyRegisteredError,
} from '../../../src/plugin/registry.js'

class Breakdown {
  static pluginName = 'Breakdown'
}

describe('registry', () => {
  it('keeps services of two instances apart', () => {
    registerInstance('RegA')
    registerInstance('RegB')
    try {
      register('RegA', {plugin: Breakdown}, 'a')
      register('RegB', {plugin: Breakdown}, 'b')
      expect(whereis('RegA', {plugin: Breakdown})).toBe('a')
      expect(whereis('RegB', {plugin: Breakdown})).toBe('b')
      expect(whereis('RegC', {plugin: Breakdown})).toBeUndefined()
      expect(() => register('RegA', {plugin: Breakdown}, 'again')).toThrow(AlreadyRegisteredError)
      expect(() => registerInstance('RegA')).toThrow(/already running in this process/)
    } finally {
      unregisterInstance('RegA')
      unregisterInstance('RegB')
    }
    expect(whereis('RegA', {plugin: Breakdown})).toBeUndefined()
  })
})
