import type {Job} from '../../job/job.js'
import {colorState} from '../colors.js'
import {exactTime} from '../format-time.js'
import type {ViewFrame} from './queues-view.js'
import {cell} from './text.js'

/**
 * A job in full, as lines to scroll: its facts, timestamps, node, args and meta (pretty JSON),
 * and every error with its attempt and time, oldest first, each error's text whole (wrapped).
 */
export function jobDetailLines(job: Job, now: Date, frame: Pick<ViewFrame, 'width' | 'colors'>): string[] {
  const {width, colors} = frame
  const wrap = (text: string, indent = '  ') =>
    text.split('\n').flatMap((line) => {
      const room = Math.max(10, width - indent.length)
      const parts: string[] = []
      for (let i = 0; i < Math.max(1, line.length); i += room) parts.push(indent + line.slice(i, i + room))
      return parts
    })
  const heading = (text: string) => colors.bold(text)
  const lines = [
    heading(`Job ${job.id}`) + `  ${colorState(job.state, colors)}  ${job.worker}`,
    `queue ${job.queue} · attempt ${job.attempt} of ${job.maxAttempts} · priority ${job.priority}` +
      (job.tags.length > 0 ? ` · tags ${job.tags.join(', ')}` : ''),
    `node ${job.attemptedBy?.[0] ?? '-'}${job.attemptedBy?.[1] ? ` (producer ${job.attemptedBy[1]})` : ''}`,
    '',
    heading('Timestamps'),
    `  inserted   ${exactTime(job.insertedAt, now)}`,
    `  scheduled  ${exactTime(job.scheduledAt, now)}`,
    `  attempted  ${exactTime(job.attemptedAt, now)}`,
    `  completed  ${exactTime(job.completedAt, now)}`,
    `  cancelled  ${exactTime(job.cancelledAt, now)}`,
    `  discarded  ${exactTime(job.discardedAt, now)}`,
    '',
    heading('Args'),
    ...wrap(JSON.stringify(job.args, null, 2)),
    '',
    heading('Meta'),
    ...wrap(JSON.stringify(job.meta, null, 2)),
    '',
    heading(`Errors (${job.errors.length})`),
  ]
  if (job.errors.length === 0) lines.push('  none')
  for (const error of job.errors) {
    const at = new Date(error.at)
    lines.push(`  attempt ${error.attempt} · ${exactTime(Number.isNaN(at.getTime()) ? null : at, now)}`)
    lines.push(...wrap(String(error.error), '    '))
  }
  return lines.map((line) => cell(line, width))
}
