import {useInput, type Key} from 'ink'
import {useLayoutEffect, useRef, type Dispatch, type SetStateAction} from 'react'
import {JOB_STATES, type JobState} from '../../job/job.js'
import type {JobActionName} from '../../operator/bulk-actions.js'
import type {Dialog} from './dialog.js'
import type {DashUi} from './ui-state.js'
import type {DashLoader} from './loader.js'
import type {NodeRow} from './nodes-view.js'
import type {DashData} from './use-dash-data.js'
import type {JobsFilter} from './jobs-view.js'
import {callFunction, jobAction, queueAction, type ActionContext} from './dash-actions.js'

export interface KeyContext extends ActionContext {
  ui: DashUi
  setUi: Dispatch<SetStateAction<DashUi>>
  dialog: Dialog | undefined
  data: DashData & {refresh: () => void}
  nodes: readonly NodeRow[]
  readonly: boolean
  loader: DashLoader
  pageRows: number
  detailLength: number
  bodyHeight: number
  onQuit: () => void
}

/** The state cycle of the Jobs tab (← →): every state, then each one as Oban Web lists them. */
const STATE_CYCLE: (JobState | undefined)[] = [undefined, ...JOB_STATES.filter((s) => s !== 'suspended')]

/** Reads every key of the dash (where raw mode works) and does what the help says. */
export function useDashKeys(ctx: KeyContext, active: boolean): void {
  // Keys are handled with the latest render's state and data, whenever Ink subscribed the handler.
  const latest = useRef(ctx)
  // A layout effect: it runs at commit, so a key that follows a render never sees older state.
  useLayoutEffect(() => {
    latest.current = ctx
  })
  useInput((input, key) => handleKey(latest.current, input, key), {isActive: active})
}

function move(key: Key, input: string, page: number): number | undefined {
  if (key.upArrow || input === 'k') return -1
  if (key.downArrow || input === 'j') return 1
  if (key.pageUp) return -page
  if (key.pageDown) return page
  return undefined
}

export function handleKey(ctx: KeyContext, input: string, key: Key): void {
  const {ui, setUi} = ctx
  if (key.ctrl && input === 'c') return ctx.onQuit()
  if (ctx.dialog) return dialogKey(ctx, ctx.dialog, input, key)
  if (ui.help) return setUi({...ui, help: false})
  if (input === 'q') return ctx.onQuit()
  if (input === '?') return setUi({...ui, help: true})
  if (input === 'g') return ctx.data.refresh()
  const tabs = ['queues', 'nodes', 'jobs'] as const
  if (input === '1' || input === '2' || input === '3') return switchTab(ctx, tabs[Number(input) - 1]!)
  if (key.tab) return switchTab(ctx, tabs[(tabs.indexOf(ui.tab) + 1) % 3]!)
  if (ui.tab === 'queues') return queuesKey(ctx, input, key)
  if (ui.tab === 'nodes') return nodesKey(ctx, input, key)
  if (ui.jobId !== undefined) return detailKey(ctx, input, key)
  return jobsKey(ctx, input, key)
}

function switchTab(ctx: KeyContext, tab: DashUi['tab']): void {
  ctx.setMessage(undefined)
  ctx.setUi((ui) => ({...ui, tab}))
}

function dialogKey(ctx: KeyContext, dialog: Dialog, input: string, key: Key): void {
  if (dialog.kind === 'confirm') {
    ctx.setDialog(undefined)
    dialog.answer(input === 'y' || input === 'Y')
    return
  }
  if (key.escape) return ctx.setDialog(undefined)
  const submit = (value: string) => {
    const error = dialog.submit(value.trim())
    ctx.setDialog(error === undefined ? undefined : {...dialog, value, error})
  }
  if (key.return) return submit(dialog.value)
  if ((key.backspace || key.delete) && input.length <= 1)
    return ctx.setDialog({...dialog, value: dialog.value.slice(0, -1), error: undefined})
  if (!input || key.ctrl || key.meta) return
  // Typed ahead or pasted, several keys can arrive as one input: each is applied in turn.
  let value = dialog.value
  for (const char of input) {
    if (char === '\r' || char === '\n') return submit(value)
    if (char === '\u007F' || char === '\b') value = value.slice(0, -1)
    else if (char >= ' ') value += char
  }
  ctx.setDialog({...dialog, value, error: undefined})
}

function queuesKey(ctx: KeyContext, input: string, key: Key): void {
  const {ui, setUi} = ctx
  const queues = ctx.data.queues?.queues ?? []
  const by = move(key, input, ctx.pageRows)
  if (by !== undefined) {
    const selected = clamp(ui.selected.queues + by, queues.length)
    return setUi({...ui, selected: {...ui.selected, queues: selected}})
  }
  const queue = queues[ui.selected.queues]
  if (!queue) return
  if (key.return) {
    ctx.setMessage(undefined)
    setUi({
      ...ui,
      tab: 'jobs',
      jobId: undefined,
      filter: {page: 0, queue: queue.queue},
      selected: {...ui.selected, jobs: 0},
    })
    return
  }
  if (ctx.readonly) return
  if (input === 'p' || input === 'r' || input === 's' || input === 'x') queueAction(ctx, input, queue)
}

function nodesKey(ctx: KeyContext, input: string, key: Key): void {
  const {ui, setUi} = ctx
  const row = ui.nodeKey === undefined ? undefined : ctx.nodes.find((n) => `${n.instance}.${n.node}` === ui.nodeKey)
  const by = move(key, input, ctx.pageRows)
  if (row) {
    const functions = (row.presence?.plugins ?? []).flatMap((p) => p.functions.map((fn) => ({plugin: p.name, fn})))
    if (key.escape || key.backspace) return setUi({...ui, nodeKey: undefined})
    if (by !== undefined)
      return setUi({...ui, selected: {...ui.selected, fn: clamp(ui.selected.fn + by, functions.length)}})
    const chosen = functions[ui.selected.fn]
    if (key.return && chosen && !ctx.readonly) callFunction(ctx, row, chosen.plugin, chosen.fn)
    return
  }
  if (by !== undefined)
    return setUi({...ui, selected: {...ui.selected, nodes: clamp(ui.selected.nodes + by, ctx.nodes.length)}})
  const selected = ctx.nodes[ui.selected.nodes]
  if (key.return && selected)
    setUi({...ui, nodeKey: `${selected.instance}.${selected.node}`, selected: {...ui.selected, fn: 0}})
}

function setFilter(ctx: KeyContext, change: Partial<JobsFilter>): void {
  ctx.setUi((ui) => ({
    ...ui,
    filter: {...ui.filter, page: 0, ...change},
    selected: {...ui.selected, jobs: 0},
    marked: new Set(),
  }))
}

function filterPrompt(ctx: KeyContext, field: 'queue' | 'worker' | 'tag' | 'search', title: string): void {
  ctx.setDialog({
    kind: 'prompt',
    title,
    hint: 'Empty clears it.',
    value: ctx.ui.filter[field] ?? '',
    submit: (value) => {
      setFilter(ctx, {[field]: value === '' ? undefined : value})
      return undefined
    },
  })
}

function jobsKey(ctx: KeyContext, input: string, key: Key): void {
  const {ui, setUi} = ctx
  const jobs = ctx.data.jobs?.jobs ?? []
  const by = move(key, input, ctx.pageRows)
  if (by !== undefined)
    return setUi({...ui, selected: {...ui.selected, jobs: clamp(ui.selected.jobs + by, jobs.length)}})
  if (key.leftArrow || key.rightArrow || input === '[' || input === ']') {
    const step = key.leftArrow || input === '[' ? -1 : 1
    const at = STATE_CYCLE.indexOf(ui.filter.state)
    return setFilter(ctx, {state: STATE_CYCLE[(at + step + STATE_CYCLE.length) % STATE_CYCLE.length]})
  }
  if (input === 'Q') return filterPrompt(ctx, 'queue', 'Filter by queue')
  if (input === 'W') return filterPrompt(ctx, 'worker', 'Filter by worker')
  if (input === 'T') return filterPrompt(ctx, 'tag', 'Filter by tag')
  if (input === '/') return filterPrompt(ctx, 'search', 'Search args and meta')
  if (input === '0')
    return setFilter(ctx, {state: undefined, queue: undefined, worker: undefined, tag: undefined, search: undefined})
  if (input === 'n' && ctx.data.jobs?.more) return setFilter(ctx, {page: ui.filter.page + 1})
  if (input === 'b' && ui.filter.page > 0) return setFilter(ctx, {page: ui.filter.page - 1})
  const job = jobs[ui.selected.jobs]
  if (key.return && job) {
    setUi({...ui, jobId: job.id, detailScroll: 0})
    return
  }
  if (ctx.readonly) return
  if (input === ' ' && job) {
    const marked = new Set(ui.marked)
    if (marked.has(job.id)) marked.delete(job.id)
    else marked.add(job.id)
    return setUi({...ui, marked, selected: {...ui.selected, jobs: clamp(ui.selected.jobs + 1, jobs.length)}})
  }
  if (input === 'A') {
    const all = jobs.every((j) => ui.marked.has(j.id))
    return setUi({...ui, marked: all ? new Set() : new Set(jobs.map((j) => j.id))})
  }
  const action = ACTION_KEYS[input]
  if (action) {
    const ids = ui.marked.size > 0 ? [...ui.marked] : job ? [job.id] : []
    if (ids.length > 0) jobAction(ctx, action, ids)
  }
}

const ACTION_KEYS: Record<string, JobActionName> = {R: 'retry', C: 'cancel', D: 'delete'}

function detailKey(ctx: KeyContext, input: string, key: Key): void {
  const {ui, setUi} = ctx
  if (key.escape || key.backspace) {
    setUi({...ui, jobId: undefined})
    return
  }
  const by = move(key, input, ctx.bodyHeight)
  if (by !== undefined) {
    const max = Math.max(0, ctx.detailLength - ctx.bodyHeight)
    return setUi({...ui, detailScroll: Math.max(0, Math.min(max, ui.detailScroll + by))})
  }
  const action = ACTION_KEYS[input]
  if (action && !ctx.readonly && ui.jobId !== undefined) jobAction(ctx, action, [ui.jobId])
}

const clamp = (value: number, count: number) => Math.max(0, Math.min(count - 1, value))
