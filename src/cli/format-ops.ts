import type {ChalkInstance} from 'chalk'
import {describeFilter, type JobFilter} from '../job/filter.js'
import type {JobState} from '../job/job.js'
import {describeDone, type ActionPreview, type JobActionResult} from '../operator/act-on-jobs.js'
import {JOB_ACTIONS} from '../operator/bulk-actions.js'
import {formatCount} from '../util/format-count.js'
import {plural} from '../util/plural.js'
import {colorState} from './colors.js'

/** `1,234`: counts are easier to compare with separators. */
const count = formatCount

/** `retryable 1,000, discarded 234`, in lifecycle order. */
export function describeStates(byState: Partial<Record<JobState, number>>, colors?: ChalkInstance): string {
  return Object.entries(byState)
    .map(([state, n]) => `${colors ? colorState(state, colors) : state} ${count(n)}`)
    .join(', ')
}

/** The confirmation question of a bulk action: what, how many, and in which states. */
export function confirmQuestion(preview: ActionPreview, filter: JobFilter, colors: ChalkInstance): string {
  const verb = `${preview.action[0]!.toUpperCase()}${preview.action.slice(1)}`
  return `${verb} ${colors.bold(plural(preview.total, 'job'))} matching ${describeFilter(filter)} (${describeStates(preview.byState, colors)})?`
}

/**
 * What a bulk action did, as lines for a person: how many changed (by previous state), pkills
 * sent, batches, jobs skipped because a node held them, explicit ids that were not eligible.
 */
export function formatActionResult(result: JobActionResult, filter: JobFilter, colors: ChalkInstance): string[] {
  const action = JOB_ACTIONS[result.action]
  if (result.aborted) return [`Aborted: nothing was ${action.done}.`]
  const lines: string[] = []
  if (result.matched === 0 && result.notEligible.length === 0) {
    lines.push(
      `No jobs to ${result.action} match ${describeFilter(filter)} (${result.action} applies to ${action.states.join(', ')} jobs).`,
    )
  } else {
    const states = result.changed > 0 ? ` (${describeStates(result.byState, colors)})` : ''
    const batches = result.batches > 1 ? ` in ${count(result.batches)} batches` : ''
    lines.push(`${describeDone(result)}${states}${batches}.`)
  }
  if (result.signalled > 0)
    lines.push(`Sent pkill for ${plural(result.signalled, 'executing job')}: the nodes running them abort them.`)
  if (result.skipped > 0)
    lines.push(
      colors.yellow(
        `Skipped ${plural(result.skipped, 'job')} that a node held locked throughout; run the command again to include them.`,
      ),
    )
  if (result.notEligible.length > 0) {
    const ids = result.notEligible.map((job) => `${job.id} (${job.state})`).join(', ')
    lines.push(`Not ${action.done}, as ${result.action} does not apply to their state: ${ids}.`)
    const executing = result.notEligible.filter((job) => job.state === 'executing').map((job) => job.id)
    if (result.action === 'retry' && executing.length > 0) lines.push(orphanHint(executing))
  }
  return lines
}

/**
 * What to do about executing jobs that `retry` leaves alone: one may run on a live node, or be
 * orphaned by a node that is gone (a second Ctrl-C, a crash), which Lifeline rescues in time.
 */
function orphanHint(ids: readonly string[]): string {
  const list = ids.join(' ')
  const one = ids.length === 1
  return `${one ? 'It is' : 'They are'} executing: if ${one ? 'its node is' : 'their nodes are'} still running, let ${one ? 'it' : 'them'} finish; if the node is gone (a second Ctrl-C, a crash), the Lifeline plugin (on by default) makes ${one ? 'it' : 'them'} available again once executing for its rescueAfter (5m by default), or retry now with \`oban job cancel ${list}\` then \`oban job retry ${list}\`.`
}
