import type {ChalkInstance} from 'chalk'
import {describeFilter, type JobFilter} from '../job/filter.js'
import type {Job} from '../job/job.js'
import {colorState} from './colors.js'
import {exactTime, relativeTime} from './format-time.js'
import {renderFields, renderTable, truncate} from './text-table.js'

/** How a view is drawn: for a terminal or plain, with colours (possibly none), at a time. */
export interface ViewStyle {
  tty: boolean
  colors: ChalkInstance
  now: Date
  /** Terminal columns (a TTY only, and not --wide): tables are cut to fit, rightmost columns first. */
  width?: number
}

/** Jobs as `--json` prints them: every field, times as ISO strings. */
export {jobToJson, type JobJson} from '../operator/job-json.js'

// Args are cut to this many characters off a terminal: one job per line for grep; --json has all.
const PLAIN_ARGS_WIDTH = 80
const JOB_HEAD = ['ID', 'STATE', 'QUEUE', 'WORKER', 'ATTEMPT', 'SCHEDULED', 'ATTEMPTED', 'ARGS']

/**
 * The job list of `oban job list`: one row per job, newest first unless sorted otherwise. Pure:
 * the same rows in both modes, a box on a terminal, aligned columns elsewhere.
 */
export function formatJobList(jobs: readonly Job[], style: ViewStyle): string {
  const rows = jobs.map((job) => [
    String(job.id),
    colorState(job.state, style.colors),
    job.queue,
    job.worker,
    `${job.attempt}/${job.maxAttempts}`,
    relativeTime(job.scheduledAt, style.now),
    relativeTime(job.attemptedAt, style.now),
  ])
  // On a terminal the table is cut to its width (the rightmost columns first) unless --wide.
  const argsWidth = style.tty ? Infinity : PLAIN_ARGS_WIDTH
  jobs.forEach((job, i) => rows[i]!.push(truncate(JSON.stringify(job.args), argsWidth)))
  return renderTable(
    {head: JOB_HEAD, rows, alignRight: [0, 4]},
    {tty: style.tty, color: style.colors.bold, maxWidth: style.tty ? style.width : undefined},
  )
}

/** `oban job list`'s output: the table, or one line naming the filter when no job matches it. */
export function formatJobListing(jobs: readonly Job[], filter: JobFilter, style: ViewStyle): string {
  return jobs.length === 0 ? `No jobs match ${describeFilter(filter)}.` : formatJobList(jobs, style)
}

/**
 * Every field of one job for `oban job show`: the columns, then args and meta pretty-printed,
 * then each error in full with its attempt and time, oldest first (the newest ends up last,
 * next to the prompt).
 */
export function formatJobDetail(job: Job, style: ViewStyle): string {
  const {colors, now} = style
  const fields: [string, string][] = [
    ['id', String(job.id)],
    ['state', colorState(job.state, colors)],
    ['queue', job.queue],
    ['worker', job.worker],
    ['attempt', `${job.attempt} of ${job.maxAttempts}`],
    ['priority', String(job.priority)],
    ['tags', job.tags.length > 0 ? job.tags.join(', ') : '-'],
    ['inserted at', exactTime(job.insertedAt, now)],
    ['scheduled at', exactTime(job.scheduledAt, now)],
    ['attempted at', exactTime(job.attemptedAt, now)],
    ['attempted by', job.attemptedBy?.length ? job.attemptedBy.join(' ') : '-'],
    ['completed at', exactTime(job.completedAt, now)],
    ['discarded at', exactTime(job.discardedAt, now)],
    ['cancelled at', exactTime(job.cancelledAt, now)],
  ]
  const title = `${colors.bold(`Job ${job.id}`)} ${job.worker} ${colorState(job.state, colors)}`
  const sections = [
    `${title}\n${renderFields(fields, {color: colors.dim})}`,
    `${colors.bold('args')}\n${indent(JSON.stringify(job.args, null, 2))}`,
    `${colors.bold('meta')}\n${indent(JSON.stringify(job.meta, null, 2))}`,
  ]
  const errors = [...job.errors].sort((a, b) => errorTime(a.at) - errorTime(b.at))
  if (errors.length === 0) sections.push(`${colors.bold('errors')}\n  none`)
  else {
    const entries = errors.map((entry) => {
      const at = Number.isNaN(Date.parse(entry.at)) ? entry.at || 'unknown time' : exactTime(new Date(entry.at), now)
      return `  ${colors.yellow(`attempt ${entry.attempt}`)} ${colors.dim(at)}\n${indent(entry.error, 4)}`
    })
    sections.push(`${colors.bold(`errors (${errors.length}, newest last)`)}\n${entries.join('\n\n')}`)
  }
  return sections.join('\n\n')
}

// Entries without a readable time keep their stored (append) order, first.
function errorTime(at: string): number {
  const time = Date.parse(at)
  return Number.isNaN(time) ? -Infinity : time
}

function indent(text: string, spaces = 2): string {
  const pad = ' '.repeat(spaces)
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n')
}
