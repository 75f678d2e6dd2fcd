import type {JobId} from '../../job/job-id.js'
// The automatic JSX runtime even where no tsconfig applies (tsx reads the working directory's).
/** @jsxRuntime automatic @jsxImportSource react */
import type {ChalkInstance} from 'chalk'
import {Box, Text, useStdin} from 'ink'
import {useMemo, useState} from 'react'
import {formatDuration} from '../../util/duration.js'
import {dialogBox, helpLines, overlay, type Dialog} from './dialog.js'
import {jobDetailLines} from './job-detail.js'
import {jobsView, type JobsFilter} from './jobs-view.js'
import type {DashLoader} from './loader.js'
import {nodeDetailView, nodeRows, nodesView} from './nodes-view.js'
import {queuesView} from './queues-view.js'
import {cell, num} from './text.js'
import {useDashData} from './use-dash-data.js'
import {useDashKeys} from './use-dash-keys.js'
import type {DashUi} from './ui-state.js'
import {useTerminalSize} from '../breakdown/use-breakdown.js'

export interface DashAppProps {
  loader: DashLoader
  instance: string
  intervalMs: number
  readonly: boolean
  colors: ChalkInstance
  /** `q` or Ctrl-C. */
  onQuit: () => void
  /** The terminal whose size the screen fills (default 80x24 when it has none, as under tests). */
  terminal?: NodeJS.WriteStream
  /** The clock (tests). */
  now?: () => Date
}

export const TABS = ['queues', 'nodes', 'jobs'] as const
export type Tab = (typeof TABS)[number]
export const PAGE_SIZE = 50

/**
 * The dash: a tab bar, the tab's view filling the terminal, a message line and a key line. The
 * frame is one row shorter than the terminal (Ink redraws a frame as tall as the screen by
 * clearing it) and every line is cut to the width, so it re-lays out on every resize.
 */
export function DashApp(props: DashAppProps) {
  const {colors} = props
  const size = useTerminalSize(props.terminal ?? process.stdout)
  const width = size.columns ?? 80
  const rows = size.rows ?? 24
  const [ui, setUi] = useState<DashUi>(() => ({
    tab: 'queues',
    selected: {queues: 0, nodes: 0, jobs: 0, fn: 0},
    filter: {page: 0},
    marked: new Set<JobId>(),
    detailScroll: 0,
    help: false,
  }))
  const [dialog, setDialog] = useState<Dialog | undefined>()
  const [message, setMessage] = useState<{text: string; error?: boolean} | undefined>()
  const now = (props.now ?? (() => new Date()))()

  const jobsQuery = useMemo(() => queryOf(ui.filter), [ui.filter])
  const data = useDashData(props.loader, props.intervalMs, {tab: ui.tab, jobsQuery, jobId: ui.jobId})
  const nodes = useMemo(() => (data.nodes ? nodeRows(data.nodes.instances, data.nodes.presence) : []), [data.nodes])

  const bodyHeight = Math.max(3, rows - 4)
  const frame = {width, height: bodyHeight, colors}
  let body: string[]
  let detailLength = 0
  if (ui.help) body = helpLines(props.readonly).map((line) => cell(line, width))
  else if (ui.tab === 'queues') {
    const view = queuesView(
      {
        queues: data.queues?.queues ?? [],
        history: data.queues?.history ?? [],
        intervalMs: props.intervalMs,
        selected: ui.selected.queues,
      },
      frame,
    )
    body = data.queues ? view : ['Reading queues…']
  } else if (ui.tab === 'nodes') {
    const row = ui.nodeKey === undefined ? undefined : nodes.find((n) => `${n.instance}.${n.node}` === ui.nodeKey)
    if (row) body = nodeDetailView({row, selected: ui.selected.fn, readonly: props.readonly, now}, frame)
    else {
      const view = nodesView({rows: nodes, selected: ui.selected.nodes, now}, frame)
      body = data.nodes ? view : ['Reading nodes…']
    }
  } else if (ui.jobId !== undefined) {
    const job = data.job?.id === ui.jobId ? data.job : undefined
    const lines =
      data.job === null
        ? [`Job ${ui.jobId} is gone (deleted or pruned). Esc goes back.`]
        : job
          ? jobDetailLines(job, now, frame)
          : ['Reading the job…']
    detailLength = lines.length
    body = lines.slice(ui.detailScroll, ui.detailScroll + bodyHeight)
  } else {
    body = jobsView({filter: ui.filter, page: data.jobs, marked: ui.marked, selected: ui.selected.jobs, now}, frame)
  }
  body = body.slice(0, bodyHeight)
  if (dialog) body = overlay(body, dialogBox(dialog, width, colors), width, bodyHeight)
  while (body.length < bodyHeight) body.push('')

  const {isRawModeSupported} = useStdin()
  useDashKeys(
    {
      ui,
      setUi,
      dialog,
      setDialog,
      setMessage,
      data,
      nodes,
      readonly: props.readonly,
      loader: props.loader,
      pageRows: Math.max(1, bodyHeight - 4),
      detailLength,
      bodyHeight,
      onQuit: props.onQuit,
    },
    isRawModeSupported === true,
  )

  const header = headerLine(props, ui.tab, data, width)
  const status = message
    ? message.error
      ? colors.red(message.text)
      : message.text
    : data.error
      ? colors.red(`refresh failed: ${data.error}`)
      : ''
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">{header}</Text>
      {body.map((line, index) => (
        // Lines are positions on the screen: the index is their identity.
        <Text key={index} wrap="truncate-end">
          {line === '' ? ' ' : line}
        </Text>
      ))}
      <Text wrap="truncate-end">{status === '' ? ' ' : status}</Text>
      <Text wrap="truncate-end">{colors.dim(keyLine(ui, props.readonly, width))}</Text>
    </Box>
  )
}

function queryOf(filter: JobsFilter) {
  return {
    state: filter.state,
    queues: filter.queue ? [filter.queue] : undefined,
    workers: filter.worker ? [filter.worker] : undefined,
    tags: filter.tag ? [filter.tag] : undefined,
    search: filter.search,
    page: filter.page,
    pageSize: PAGE_SIZE,
  }
}

function headerLine(props: DashAppProps, tab: Tab, data: ReturnType<typeof useDashData>, width: number): string {
  const {colors} = props
  const names = {queues: '1 Queues', nodes: '2 Nodes', jobs: '3 Jobs'}
  const tabs = TABS.map((t) => (t === tab ? colors.inverse.bold(`[${names[t]}]`) : ` ${names[t]} `)).join('')
  const queues = data.queues?.queues ?? []
  const totals = `avail ${num(queues.reduce((s, q) => s + q.available, 0))} exec ${num(queues.reduce((s, q) => s + q.executing, 0))}`
  const slowed =
    data.everyMs !== undefined && data.everyMs > props.intervalMs
      ? `, slowed to every ${(data.everyMs / 1000).toFixed(1)}s`
      : ''
  const updated = data.updatedAt
    ? `${data.updatedAt.toISOString().slice(11, 19)} (${data.refreshMs}ms${slowed})`
    : 'reading…'
  const parts = [
    `${colors.bold('oban dash')} ${tabs}`,
    props.instance,
    totals,
    `every ${formatDuration(props.intervalMs)}`,
    updated,
    props.readonly ? colors.yellow('read-only') : undefined,
  ]
  // Least useful parts go first when the line is too narrow.
  let line = parts.filter(Boolean).join(' · ')
  if (width < 100) line = [parts[0], parts[1], parts[4], parts[5]].filter(Boolean).join(' · ')
  return line
}

function keyLine(ui: DashUi, readonly: boolean, width: number): string {
  const actions = (text: string) => (readonly ? '' : text)
  let keys: string
  if (ui.help) keys = 'any key: close help'
  else if (ui.tab === 'queues') keys = `↑↓ move · Enter jobs${actions(' · p pause · r resume · s scale · x stop')}`
  else if (ui.tab === 'jobs' && ui.jobId === undefined && width < 120)
    keys = `←→ state · QWT/ filter · n b page · Enter detail${actions(' · space mark · RCD act')}`
  else if (ui.tab === 'nodes')
    keys = ui.nodeKey ? `↑↓ function${actions(' · Enter call')} · Esc back` : '↑↓ move · Enter plugins'
  else if (ui.jobId !== undefined) keys = `↑↓ scroll${actions(' · R retry · C cancel · D delete')} · Esc back`
  else keys = `←→ state · Q W T / filter · n b page · Enter detail${actions(' · space mark · R C D act')}`
  const line = `${keys} · ? help · q quit`
  return line.length > width ? `${keys.slice(0, Math.max(0, width - 20))}… · ? help · q quit` : line
}
