import type {JobId} from '../../job/job-id.js'
import type {Job, JobState, JobTimestamp} from '../../job/job.js'
import type {JobsPage} from '../../operator/jobs-page.js'
import {colorState} from '../colors.js'
import {relativeTime} from '../format-time.js'
import type {ViewFrame} from './queues-view.js'
import {cell, fitColumns, scrollWindow, tableLine, type Column} from './text.js'

/** The Jobs tab's filters, as the user set them. */
export interface JobsFilter {
  state?: JobState
  queue?: string
  worker?: string
  tag?: string
  search?: string
  page: number
}

const TIME_OF: Record<string, (job: Job) => JobTimestamp | null> = {
  id: (job) => job.insertedAt,
  inserted_at: (job) => job.insertedAt,
  scheduled_at: (job) => job.scheduledAt,
  attempted_at: (job) => job.attemptedAt,
  completed_at: (job) => job.completedAt,
  cancelled_at: (job) => job.cancelledAt,
  discarded_at: (job) => job.discardedAt,
}

/** The filter line: `state executing · queue default · worker * · tag * · search "x" · page 2 · by attempted_at ↓`. */
export function filterLine(filter: JobsFilter, page: JobsPage | undefined, marked: number): string {
  const order = page ? ` · by ${page.order.column} ${page.order.direction === 'asc' ? '↑' : '↓'}` : ''
  return [
    `state ${filter.state ?? 'all'}`,
    `queue ${filter.queue ?? '*'}`,
    `worker ${filter.worker ?? '*'}`,
    `tag ${filter.tag ?? '*'}`,
    filter.search ? `search "${filter.search}"` : undefined,
    `page ${filter.page + 1}${page?.more ? '+' : ''}`,
    marked > 0 ? `${marked} marked` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' · ')
    .concat(order)
}

export interface JobsViewProps {
  filter: JobsFilter
  page: JobsPage | undefined
  marked: ReadonlySet<JobId>
  selected: number
  now: Date
}

/** The Jobs tab: the filter line, then one row per job of the page. */
export function jobsView(props: JobsViewProps, frame: ViewFrame): string[] {
  const {width, height, colors} = frame
  const top = [cell(filterLine(props.filter, props.page, props.marked.size), width), '']
  const jobs = props.page?.jobs ?? []
  if (!props.page) return [...top, 'Loading jobs…']
  if (jobs.length === 0)
    return [...top, props.filter.page > 0 ? 'No more jobs: b goes back a page.' : 'No job matches.']
  const timeOf = TIME_OF[props.page.order.column] ?? TIME_OF.id!
  const column = props.page.order.column
  const timeTitle = column === 'id' ? 'inserted' : column.replace('_at', '')
  const wide = width >= 120
  const columns: Column<Job>[] = [
    {title: 'id', width: 7, align: 'right', value: (j) => String(j.id)},
    {title: 'state', width: 9, value: (j) => colorState(j.state, colors), drop: props.filter.state ? 9 : 0},
    {title: 'queue', width: wide ? 14 : 10, value: (j) => j.queue},
    {title: 'worker', width: wide ? 28 : 18, value: (j) => j.worker},
    {title: 'att', width: 5, align: 'right', value: (j) => `${j.attempt}/${j.maxAttempts}`, drop: 2},
    {title: timeTitle, width: 11, value: (j) => relativeTime(timeOf(j), props.now)},
    {title: 'args', width: 'flex', value: (j) => JSON.stringify(j.args), drop: 1},
  ]
  const fitted = fitColumns(columns, width - 3)
  const room = Math.max(1, height - top.length - 1)
  const offset = scrollWindow(jobs.length, room, props.selected)
  const rows = jobs.slice(offset, offset + room).map((job, i) => {
    const chosen = offset + i === props.selected
    const line = `${chosen ? '>' : ' '}${props.marked.has(job.id) ? '*' : ' '} ${tableLine(fitted, job, width - 3)}`
    return chosen ? colors.inverse(line) : line
  })
  return [...top, colors.bold(`   ${tableLine(fitted, undefined, width - 3)}`), ...rows]
}
