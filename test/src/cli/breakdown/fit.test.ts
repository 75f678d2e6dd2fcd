import {describe, expect, it} from 'vitest'
import {fitTable, frameBudget, headerMiddle} from '../../../../src/cli/breakdown/fit.js'
import {formatBreakdown} from '../../../../src/cli/breakdown/format.js'
import {eraseScreen, LogTail} from '../../../../src/cli/breakdown/live-output.js'

// Fitting the live frame into a terminal: pure text in, lines out.
const rows = Array.from({length: 10}, (_, i) => ({
  queue: `q${i}`,
  state: 'available' as const,
  count: i + 1,
}))
const table = formatBreakdown(rows)

describe('frameBudget', () => {
  it('leaves a quarter of the screen (at least 3 rows) to the log, and is unbounded off a terminal', () => {
    expect(frameBudget(40)).toBe(30)
    expect(frameBudget(24)).toBe(18)
    expect(frameBudget(8)).toBe(5)
    expect(frameBudget(undefined)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('fitTable', () => {
  it('returns a table that fits as it is', () => {
    expect(fitTable(table, 100)).toEqual({lines: table.split('\n'), offset: 0, scrollable: 0, shown: 0})
  })

  it('keeps the head, the bottom and the grand total, and windows the other rows with a summary', () => {
    const fitted = fitTable(table, 10, 0)
    expect(fitted.lines).toHaveLength(10)
    expect(fitted.lines.slice(0, 3)).toEqual(table.split('\n').slice(0, 3))
    expect(fitted.lines.at(-3)).toMatch(/^│ all queues +│ total +│ +55 │$/)
    expect(fitted.lines.at(-2)).toMatch(/^└/)
    expect(fitted.lines.at(-1)).toBe('rows 1–4 of 10 · ↑↓ PgUp PgDn to scroll')
    expect(fitted).toMatchObject({offset: 0, scrollable: 10, shown: 4})
  })

  it('clamps the window to the last rows', () => {
    const fitted = fitTable(table, 10, 99)
    expect(fitted.offset).toBe(6)
    expect(fitted.lines[3]).toMatch(/^│ q6 /)
    expect(fitted.lines.at(-1)).toBe('rows 7–10 of 10 · ↑↓ PgUp PgDn to scroll')
  })
})

describe('headerMiddle', () => {
  const parts = {instance: 'Oban', node: 'web-1', every: 'every 10s', updated: 'updated 12:00:03', status: 'paused'}

  it('drops the node, the interval, the instance, then the time, and never the status', () => {
    expect(headerMiddle(parts, 200)).toEqual({title: true, middle: 'Oban · node web-1 · every 10s · updated 12:00:03'})
    expect(headerMiddle(parts, 60)).toEqual({title: true, middle: 'Oban · every 10s · updated 12:00:03'})
    expect(headerMiddle(parts, 50)).toEqual({title: true, middle: 'Oban · updated 12:00:03'})
    expect(headerMiddle(parts, 40)).toEqual({title: true, middle: 'updated 12:00:03'})
    expect(headerMiddle(parts, 30)).toEqual({title: true, middle: ''})
    expect(headerMiddle(parts, 10)).toEqual({title: false, middle: ''})
  })
})

describe('LogTail', () => {
  it('gives the last complete lines that fill the rows, counting wrapped lines', () => {
    const tail = new LogTail()
    tail.append('one\ntwo\n')
    tail.append(`${'x'.repeat(25)}\nfour\npart`)
    expect(tail.fit(2, 10)).toBe('four\n')
    expect(tail.fit(4, 10)).toBe(`${'x'.repeat(25)}\nfour\n`)
    expect(tail.fit(5, 10)).toBe(`two\n${'x'.repeat(25)}\nfour\n`)
    expect(tail.fit(9, 10)).toBe(`one\ntwo\n${'x'.repeat(25)}\nfour\n`)
    expect(tail.fit(0, 10)).toBe('')
  })
})

describe('eraseScreen', () => {
  it('erases each row without clearing the screen (no ED), ending at the top left', () => {
    expect(eraseScreen(3)).toBe('\u001B[H\u001B[2K\u001B[B\u001B[2K\u001B[B\u001B[2K\u001B[H')
  })
})
