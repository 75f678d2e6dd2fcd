import {describe, expect, it} from 'vitest'
import {describeDown, describeStatus, describeUp, jsonVersion} from '../../../../src/db/migrations/index.js'

const status = (prefix: string, version: number) => ({prefix, version, latest: 14 as const, upToDate: version >= 14})

describe('migration report lines', () => {
  it('describes up runs', () => {
    expect(
      describeUp({prefix: 'public', from: 0, to: 14, applied: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]}, 14),
    ).toBe('Migrated schema "public" from version 0 to 14 (steps 1–14).')
    expect(describeUp({prefix: 'jobs', from: 13, to: 14, applied: [14]}, 14)).toBe(
      'Migrated schema "jobs" from version 13 to 14 (step 14).',
    )
    expect(describeUp({prefix: 'public', from: 14, to: 14, applied: []}, 14)).toBe(
      'Schema "public" is already at version 14; nothing to do.',
    )
    expect(describeUp({prefix: 'jobs', from: 14, to: 14, applied: []}, 10)).toBe(
      'Schema "jobs" is at version 14, above the requested 10; nothing to do (to roll back: oban migrate down --to 10 --prefix jobs).',
    )
    expect(describeUp({prefix: 'public', from: Infinity, to: Infinity, applied: []}, 14)).toMatch(/external migrator/)
  })

  it('describes down runs', () => {
    expect(describeDown({prefix: 'public', from: 14, to: 11, applied: [14, 13, 12]})).toBe(
      'Rolled back schema "public" from version 14 to 11 (steps 14–12).',
    )
    expect(describeDown({prefix: 'jobs', from: 1, to: 0, applied: [1]})).toBe(
      'Rolled back schema "jobs" from version 1 to 0 (step 1): the Oban tables and type are removed.',
    )
  })

  it('describes each schema state', () => {
    expect(describeStatus(status('public', 14))).toBe('public: version 14, up to date')
    expect(describeStatus(status('jobs', 11))).toBe(
      'jobs: version 11 of 14, outdated; run `oban migrate --prefix jobs`',
    )
    expect(describeStatus(status('public', 0))).toBe('public: not installed (version 0 of 14); run `oban migrate`')
    expect(describeStatus(status('public', 15))).toBe('public: version 15, newer than this oban-ts knows (14)')
    expect(describeStatus(status('public', Infinity))).toBe('public: managed by an external migrator (version ∞)')
  })

  it('writes an externally managed version as ∞ in JSON', () => {
    expect(jsonVersion(Infinity)).toBe('∞')
    expect(jsonVersion(11)).toBe(11)
  })
})
