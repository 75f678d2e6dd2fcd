import type {JobId} from '../../job/job-id.js'
import type {Dispatch, SetStateAction} from 'react'
import {Chalk} from 'chalk'
import type {PresenceFunction} from '../../cluster/presence-record.js'
import {ObanError} from '../../errors.js'
import {plural} from '../../util/plural.js'
import type {JobActionName} from '../../operator/bulk-actions.js'
import type {QueueOverview} from '../../operator/queue-overview.js'
import {confirmQuestion, formatActionResult} from '../format-ops.js'
import type {Dialog} from './dialog.js'
import type {DashLoader} from './loader.js'
import {signature, type NodeRow} from './nodes-view.js'
import type {DashUi} from './ui-state.js'

/** What an action needs from the screen: its dialogs, its message line, the data to refresh. */
export interface ActionContext {
  loader: DashLoader
  setDialog: Dispatch<SetStateAction<Dialog | undefined>>
  setMessage: (message: {text: string; error?: boolean} | undefined) => void
  setUi: Dispatch<SetStateAction<DashUi>>
  data: {refresh: () => void}
}

// Messages go on one line of the screen: plain text, the line colours itself.
const plain = new Chalk({level: 0})

/** The message for a failure: a domain error's own words, otherwise the error's message. */
function failure(ctx: ActionContext, what: string, error: unknown): void {
  const text = error instanceof ObanError || error instanceof Error ? error.message : String(error)
  ctx.setMessage({text: `${what} failed: ${text}`, error: true})
}

/** `p` pause, `r` resume, `s` scale (asks for the limit), `x` stop (asks first): Oban's signals to every node. */
export function queueAction(ctx: ActionContext, key: 'p' | 'r' | 's' | 'x', queue: QueueOverview): void {
  const send = (action: 'pause' | 'resume' | 'scale' | 'stop', limit?: number) => {
    ctx.setMessage({text: `Sending ${action} for queue ${queue.queue}…`})
    ctx.loader.signal(action, queue.queue, limit).then(
      (nodes) => {
        const to =
          nodes.length === 0
            ? ', but no live oban-ts node runs it'
            : ` to ${plural(nodes.length, 'node')}: ${nodes.join(', ')}`
        ctx.setMessage({
          text: `Sent ${action}${limit === undefined ? '' : ` (limit ${limit})`} for queue ${queue.queue}${to}`,
        })
        ctx.data.refresh()
      },
      (error: unknown) => failure(ctx, action, error),
    )
  }
  if (key === 'p') return send('pause')
  if (key === 'r') return send('resume')
  if (key === 's') {
    const limits = [...new Set(queue.nodes.map((n) => n.limit))].join(', ')
    ctx.setDialog({
      kind: 'prompt',
      title: `Scale queue ${queue.queue}`,
      hint: `New limit on every node (now ${limits || 'not running'}): a whole number from 1.`,
      value: '',
      submit: (value) => {
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1_000_000)
          return `"${value}" is not a limit: give a whole number from 1 to 1000000`
        send('scale', Number(value))
        return undefined
      },
    })
    return
  }
  ctx.setDialog({
    kind: 'confirm',
    title: `Stop queue ${queue.queue}`,
    lines: [
      `Stop queue ${queue.queue} on ${plural(queue.nodes.length, 'node')} running it?`,
      'Its running jobs finish; nothing more is fetched until a node starts it again',
      '(oban queue start, or a restart of the node).',
    ],
    answer: (yes) => (yes ? send('stop') : ctx.setMessage({text: 'Not stopped.'})),
  })
}

/**
 * Retry, cancel or delete jobs by id, as `oban job retry|cancel|delete` does (the same bulk
 * action): the eligible jobs are counted by state, the count is confirmed in a dialog, then they
 * are changed and the result is the CLI's lines on the message line.
 */
export function jobAction(ctx: ActionContext, action: JobActionName, ids: JobId[]): void {
  const filter = {ids}
  ctx.setMessage({text: `Counting the jobs to ${action}…`})
  ctx.loader
    .act(action, ids, (preview) => {
      ctx.setMessage(undefined)
      return new Promise<boolean>((resolve) =>
        ctx.setDialog({
          kind: 'confirm',
          title: `${action[0]!.toUpperCase()}${action.slice(1)} jobs`,
          lines: [confirmQuestion(preview, filter, plain)],
          answer: resolve,
        }),
      )
    })
    .then(
      (result) => {
        ctx.setMessage({text: formatActionResult(result, filter, plain).join(' ')})
        if (!result.aborted) ctx.setUi((ui) => ({...ui, marked: new Set()}))
        ctx.data.refresh()
      },
      (error: unknown) => failure(ctx, action, error),
    )
}

/**
 * Calls a plugin function on one node: asks for its arguments (in the declared order, separated
 * by spaces) when it declares some, then shows each node's outcome on the message line.
 */
export function callFunction(ctx: ActionContext, row: NodeRow, plugin: string, fn: PresenceFunction): void {
  const call = (argv: string[]) => {
    ctx.setMessage({text: `Calling ${plugin}.${fn.name} on ${row.node}…`})
    ctx.loader.callPlugin({instance: row.instance, node: row.node, plugin, fn: fn.name, argv}).then(
      (result) => {
        const outcomes = result.nodes
          .filter((n) => n.status !== 'skipped')
          .map((n) =>
            n.status === 'ok'
              ? `${n.node}: ok${n.result === undefined ? '' : ` ${JSON.stringify(n.result)}`}`
              : `${n.node}: ${n.status}${n.error ? ` ${n.error.message}` : ''}`,
          )
        ctx.setMessage({text: `${plugin}.${fn.name}: ${outcomes.join('; ') || 'no node runs it'}`, error: !result.ok})
        ctx.data.refresh()
      },
      (error: unknown) => failure(ctx, `${plugin}.${fn.name}`, error),
    )
  }
  if (fn.args.length === 0) return call([])
  ctx.setDialog({
    kind: 'prompt',
    title: `${plugin}.${signature(fn)} on ${row.node}`,
    hint: fn.args
      .map(
        (a) =>
          `${a.name.toUpperCase()}: ${a.type}${a.required ? '' : ' (optional)'}${a.description ? `, ${a.description}` : ''}`,
      )
      .join('; '),
    value: '',
    submit: (value) => {
      const argv = value === '' ? [] : value.split(/\s+/)
      const missing = fn.args.filter((a, i) => a.required && argv[i] === undefined).map((a) => a.name.toUpperCase())
      if (missing.length > 0) return `missing ${missing.join(', ')}`
      if (argv.length > fn.args.length) return `${fn.name} takes at most ${fn.args.length} arguments`
      call(argv)
      return undefined
    },
  })
}
