import {Chalk} from 'chalk'
import Table from 'cli-table3'
import {colorState} from '../colors.js'
import {formatCount as formatExact} from '../../util/format-count.js'
import type {JobState} from '../../job/job.js'
import {buildBreakdown, type BreakdownRow, type BreakdownTotal, type BreakdownViewOptions} from './model.js'

export interface FormatOptions extends BreakdownViewOptions {
  /** ANSI colours (default off). The caller decides: off for NO_COLOR, --no-color and pipes. */
  color?: boolean
  /** One row per queue and a column per state, instead of one row per (queue, state). */
  pivot?: boolean
}

/** The label of the grand total: it has a space, which no queue name can have (config.ts). */
const ALL_QUEUES = 'all queues'

/** What a leading `~` means; printed under any table that has one. */
export const APPROXIMATE_LEGEND = '~ estimated from PostgreSQL statistics and a sample (not an exact count)'

// Made on the first estimate: the first Intl number format of a process loads ICU's number data.
let compact: Intl.NumberFormat | undefined

/**
 * A count for display: exact counts in full with thousands separators (`12,345`), estimates
 * short and marked (`~1.23M`, `~307K`): their last digits mean nothing.
 */
export function formatCount(count: number, approximate = false): string {
  if (!approximate) return formatExact(count)
  compact ??= new Intl.NumberFormat('en-US', {notation: 'compact', maximumSignificantDigits: 3})
  return `~${compact.format(count)}`
}

/**
 * Renders a breakdown as a text table: the one formatter behind every view (plain output, each
 * refresh of a pipe, and the Ink view, which shows this string as it is). Sorted by queue, then
 * by Oban's lifecycle order; zeros left out unless `zeros`; a total per queue (when it has more
 * than one line) and over all queues; estimates marked `~` with a legend underneath. Pure: no
 * terminal detection here; colours only with `color: true`. An empty breakdown is one line.
 */
export function formatBreakdown(rows: readonly BreakdownRow[], options: FormatOptions = {}): string {
  const model = buildBreakdown(rows, options)
  const c = new Chalk({level: options.color ? 1 : 0})
  if (model.queues.length === 0) {
    const which = options.queues && options.queues.length > 0 ? ` in ${plural('queue', options.queues)}` : ''
    return c.dim(`No jobs${which}.`)
  }
  const count = (total: BreakdownTotal) => formatCount(total.count, total.approximate)
  // The colour of each state is the same in every view of the CLI (src/cli/colors.ts).
  const state = (name: JobState) => colorState(name, c)

  let table: Table.Table
  if (options.pivot) {
    table = newTable(
      [c.bold('queue'), ...model.states.map((s) => c.bold(state(s))), c.bold('total')],
      ['left', ...model.states.map(() => 'right' as const), 'right'],
    )
    for (const queue of model.queues) {
      const cells = model.states.map((s) => {
        const row = queue.rows.find((r) => r.state === s)
        return row ? formatCount(row.count, row.approximate) : ''
      })
      table.push([queue.queue, ...cells, c.bold(count(queue.total))])
    }
    if (model.queues.length > 1)
      table.push([
        c.bold(ALL_QUEUES),
        ...model.states.map((s) => c.bold(count(model.stateTotals[s]!))),
        c.bold(count(model.total)),
      ])
  } else {
    table = newTable([c.bold('queue'), c.bold('state'), c.bold('count')], ['left', 'left', 'right'])
    for (const queue of model.queues) {
      queue.rows.forEach((row, index) =>
        table.push([index === 0 ? queue.queue : '', state(row.state), formatCount(row.count, row.approximate)]),
      )
      if (queue.rows.length > 1) table.push(['', c.bold('total'), c.bold(count(queue.total))])
    }
    if (model.queues.length > 1) table.push([c.bold(ALL_QUEUES), c.bold('total'), c.bold(count(model.total))])
  }
  const text = table.toString()
  return model.approximate ? `${text}\n${c.dim(APPROXIMATE_LEGEND)}` : text
}

function newTable(head: string[], colAligns: Table.HorizontalAlignment[]): Table.Table {
  // cli-table3 colours its head and borders itself, even on a pipe: never let it (style: []);
  // `compact` drops the separators between body rows, keeping the one under the header.
  return new Table({head, colAligns, style: {head: [], border: [], compact: true}})
}

function plural(word: string, items: readonly string[]): string {
  return `${word}${items.length === 1 ? '' : 's'} ${items.join(', ')}`
}
