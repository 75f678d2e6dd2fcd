import type {ChalkInstance} from 'chalk'
import {describeFilter, type JobFilter} from '../job/filter.js'
import type {JobState} from '../job/job.js'
import {describeDone, plural, type ActionPreview, type JobActionResult} from '../operator/act-on-jobs.js'
import {JOB_ACTIONS} from '../operator/bulk-actions.js'
import type {QueueListing, QueueOverview} from '../operator/queue-overview.js'
import {colorState} from './colors.js'
import {formatUnrunnable, unknownNote} from './format-cluster.js'
import {shortDuration} from './format-time.js'
import {renderTable} from './text-table.js'

/** `1,234`: counts are easier to compare with separators. */
const count = (n: number) => n.toLocaleString('en-US')

/**
 * The queue table of `oban queue list`: counts per state, the latency (how long the oldest
 * available job has waited) and the oban-ts nodes running the queue, a zero dimmed so that the
 * non-zero counts stand out.
 */
export function formatQueues(
  queues: readonly QueueOverview[],
  style: {tty: boolean; colors: ChalkInstance; width?: number},
): string {
  const {colors} = style
  const cell = (n: number) => (n === 0 ? colors.dim('0') : count(n))
  const rows = queues.map((q) => [
    q.queue,
    cell(q.available),
    cell(q.scheduled),
    cell(q.executing),
    q.retryable === 0 ? colors.dim('0') : colors.magenta(count(q.retryable)),
    q.latencyMs === null ? colors.dim('-') : shortDuration(q.latencyMs),
    describeQueueNodes(q.nodes, colors),
  ])
  return renderTable(
    {
      head: ['QUEUE', 'AVAILABLE', 'SCHEDULED', 'EXECUTING', 'RETRYABLE', 'LATENCY', 'NODES'],
      rows,
      alignRight: [1, 2, 3, 4, 5],
    },
    {tty: style.tty, color: colors.bold, maxWidth: style.tty ? style.width : undefined},
  )
}

/**
 * `oban queue list`'s output: the queue table (or one line saying that no queue has unfinished
 * jobs in the schema and that no node, of the instance asked for, is known to run one), then what
 * cannot be known about Elixir nodes' queues, and the jobs that can never run.
 */
export function formatQueueList(
  listing: QueueListing,
  asked: {prefix: string; instance?: string},
  style: {tty: boolean; colors: ChalkInstance; width?: number; now: Date},
): string {
  const {queues, opaqueNodes} = listing
  const blocks: string[] = []
  if (queues.length > 0) {
    const unknown = unknownNote(opaqueNodes, style.colors)
    blocks.push(unknown === undefined ? formatQueues(queues, style) : `${formatQueues(queues, style)}\n${unknown}`)
  } else {
    const schema = asked.prefix === 'public' ? '' : ` in schema ${asked.prefix}`
    const nodes = asked.instance === undefined ? 'no node' : `no node of instance ${asked.instance}`
    const elixir =
      opaqueNodes.length > 0
        ? ` (${plural(opaqueNodes.length, 'Elixir node')} ${opaqueNodes.length === 1 ? 'is' : 'are'} alive, ${opaqueNodes.map((n) => n.node).join(', ')}: ${opaqueNodes.length === 1 ? 'its' : 'their'} queues are unknown)`
        : ''
    blocks.push(
      `No queue has available, scheduled, executing or retryable jobs${schema}, and ${nodes} is known to run one${elixir}.`,
    )
  }
  const unrunnable = queues.flatMap((q) => q.unrunnable.map((u) => ({queue: q.queue, ...u})))
  if (unrunnable.length > 0) blocks.push(formatUnrunnable(unrunnable, style))
  return blocks.join('\n\n')
}

/**
 * The NODES cell: `2 nodes · limit 15 · 3 running · 1 paused`, where the limit is the sum of
 * the nodes' limits (the queue's capacity), `(1 python)` says how many of the nodes are Python
 * Oban's, and `paused` appears only when a node paused it; `-` when no live oban-ts or Python
 * node runs the queue (an Elixir node may: they publish no queues).
 */
export function describeQueueNodes(nodes: QueueOverview['nodes'], colors: ChalkInstance): string {
  if (nodes.length === 0) return colors.dim('-')
  const limit = nodes.reduce((sum, n) => sum + (n.limit ?? 0), 0)
  const running = nodes.reduce((sum, n) => sum + n.running, 0)
  const paused = nodes.filter((n) => n.paused).length
  const python = nodes.filter((n) => n.runtime === 'python').length
  const parts = [
    `${plural(nodes.length, 'node')}${python > 0 ? ` (${count(python)} python)` : ''}`,
    `limit ${count(limit)}`,
    `${count(running)} running`,
  ]
  if (paused > 0) parts.push(colors.yellow(`${count(paused)} paused`))
  return parts.join(' · ')
}

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
