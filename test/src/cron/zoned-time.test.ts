import {describe, expect, it} from 'vitest'
import {isUtcZone, wallClock} from '../../../src/cron/zoned-time.js'

// UTC is read with Date's UTC methods instead of Intl (see isUtcZone); Etc/GMT is the same zone
// read through Intl, so the two must agree on every instant.
describe('wallClock in UTC without Intl', () => {
  it('takes UTC and Etc/UTC, and no other name, for the fast path', () => {
    expect(isUtcZone('UTC')).toBe(true)
    expect(isUtcZone('Etc/UTC')).toBe(true)
    expect(isUtcZone('Etc/GMT')).toBe(false)
    expect(isUtcZone('Europe/Paris')).toBe(false)
  })

  it('reads every instant as Intl does for the same zone', () => {
    const instants = [new Date(0), new Date('2024-02-29T23:59:59Z'), new Date('9999-12-31T23:59:59Z')]
    for (let i = 0; i < 3000; i++) instants.push(new Date(Date.UTC(100, 0, 1) + Math.random() * 2.5e14))
    for (const instant of instants) {
      const viaIntl = wallClock(instant, 'Etc/GMT')
      expect(wallClock(instant, 'UTC'), instant.toISOString()).toEqual(viaIntl)
      expect(wallClock(instant, 'Etc/UTC'), instant.toISOString()).toEqual(viaIntl)
    }
  })
})
