// The automatic JSX runtime even where no tsconfig applies: tsx (dev mode) reads the tsconfig of the
// working directory, which for `oban start` run elsewhere has none (then JSX would need React in scope).
/** @jsxRuntime automatic @jsxImportSource react */
import {Box, Text, useStdout} from 'ink'
import {useCallback, useEffect, useMemo, useRef, useState} from 'react'
import {formatDuration} from '../../util/duration.js'
import {fitTable, frameBudget, headerMiddle} from './fit.js'
import {formatBreakdown, type FormatOptions} from './format.js'
import {LogTail} from './live-output.js'
import {clockTime, type BreakdownMeta} from './plain.js'
import type {BreakdownSnapshot, BreakdownSource} from './source.js'
import {
  useBreakdown,
  useBreakdownKeys,
  useCapturedOutput,
  useRedrawOnResize,
  useTerminalSize,
  type ScrollBy,
} from './use-breakdown.js'

export interface BreakdownAppProps extends BreakdownMeta {
  /** Where the breakdowns come from, and what `p` and `r` act on. */
  source: BreakdownSource
  /**
   * Table options (colour, pivot, zeros, queues), as for the plain output. `color` also decides
   * whether the header and the status line are coloured (off for NO_COLOR, --no-color, pipes).
   */
  format?: FormatOptions
  /** `q` or Ctrl-C: the owner decides what quitting means (unmount, or stop the instance). */
  onQuit: () => void
  /** Route process.stderr (the instance's log lines) above the frame while mounted. */
  captureStderr?: boolean
  /** Route process.stdout (worker output, console.log) above the frame too; see inkStdout. */
  captureStdout?: boolean
  /**
   * The terminal whose size the frame fits and whose resizes redraw the screen (default: Ink's
   * stdout). renderBreakdown passes process.stdout, as Ink is given a stream without a height.
   */
  terminal?: NodeJS.WriteStream
}

/**
 * The live Breakdown: a header (instance, node, interval, last refresh, status), the table as the
 * shared formatter renders it, and a status line with the keys. It holds no data of its own:
 * everything comes from `source`, so it renders the same from a running plugin or a test's fake.
 *
 * It fits the terminal: every line is cut at the right edge (one Text per line, so a line never
 * wraps), the header drops its less useful parts before the status, and the frame stays shorter
 * than the screen (frameBudget), leaving room for the log lines above it; table rows that do not
 * fit scroll with ↑ ↓ PgUp PgDn, the grand total staying in view.
 */
export function BreakdownApp(props: BreakdownAppProps) {
  const {source, format, onQuit} = props
  const {stdout} = useStdout()
  const terminal = props.terminal ?? stdout
  const {columns, rows} = useTerminalSize(terminal)
  const color = format?.color === true
  const snapshot = useBreakdown(source)
  const [offset, setOffset] = useState(0)

  const table = useMemo(
    () => (snapshot.rows ? formatBreakdown(snapshot.rows, format) : undefined),
    [snapshot.rows, format],
  )
  // Header and status line take one line each.
  const tableLines = frameBudget(rows) - 2
  const fitted = table === undefined ? undefined : fitTable(table, tableLines, offset)

  // Scrolling clamps against what is shown now; the next render clamps again (fitTable).
  const fittedRef = useRef(fitted)
  useEffect(() => {
    fittedRef.current = fitted
  })
  const onScroll = useCallback<ScrollBy>((by) => {
    const now = fittedRef.current
    if (!now || now.scrollable === 0) return
    const step = by === 'page-up' ? -now.shown : by === 'page-down' ? now.shown : by
    setOffset(Math.max(0, Math.min(now.offset + step, now.scrollable - now.shown)))
  }, [])
  const pending = useBreakdownKeys(source, onQuit, onScroll)

  const tail = useMemo(() => new LogTail(), [])
  useCapturedOutput({stderr: props.captureStderr === true, stdout: props.captureStdout === true, tail})
  const lines = fitted?.lines ?? ['Counting jobs…']
  const frameRows = useRef(lines.length + 2)
  useEffect(() => {
    frameRows.current = lines.length + 2
  })
  useRedrawOnResize(
    terminal,
    tail,
    useCallback(() => frameRows.current, []),
  )

  return (
    <Box flexDirection="column">
      <Header {...props} snapshot={snapshot} columns={columns} color={color} />
      {table === undefined ? (
        <Text dimColor={color}>Counting jobs…</Text>
      ) : (
        lines.map((line, index) => (
          // Lines are positions in the frame: the index is their identity.
          <Text key={index} wrap="truncate-end">
            {line}
          </Text>
        ))
      )}
      <StatusLine snapshot={snapshot} pending={pending} color={color} />
    </Box>
  )
}

function Header({
  instance,
  node,
  intervalMs,
  snapshot,
  columns,
  color,
}: BreakdownMeta & {snapshot: BreakdownSnapshot; columns: number | undefined; color: boolean}) {
  const {title, middle} = headerMiddle(
    {
      instance,
      node,
      every: intervalMs === undefined ? undefined : `every ${formatDuration(intervalMs)}`,
      updated: snapshot.time ? `updated ${clockTime(snapshot.time)}` : 'not counted yet',
      status: snapshot.status,
    },
    columns,
  )
  const before = `${title ? ' · ' : ''}${middle}${middle === '' ? '' : ' · '}`
  return (
    <Text wrap="truncate-end">
      {title ? <Text bold={color}>Breakdown</Text> : null}
      <Text>{title ? before : before.replace(/^ · /, '')}</Text>
      <Status snapshot={snapshot} color={color} />
    </Text>
  )
}

function Status({snapshot, color}: {snapshot: BreakdownSnapshot; color: boolean}) {
  if (!color) return <Text>{snapshot.status}</Text>
  switch (snapshot.status) {
    case 'running':
      return <Text color="green">running</Text>
    case 'paused':
      return (
        <Text color="yellow" bold>
          paused
        </Text>
      )
    case 'restarting':
    case 'failed':
      return (
        <Text color="red" bold>
          {snapshot.status}
        </Text>
      )
    default:
      return <Text dimColor>{snapshot.status}</Text>
  }
}

/**
 * The keys and what they do now. Paused, `r` still counts once (the plugin's refresh is an
 * explicit request) and the table shows that count; the view stays paused.
 */
function StatusLine({
  snapshot,
  pending,
  color,
}: {
  snapshot: BreakdownSnapshot
  pending: string | undefined
  color: boolean
}) {
  const paused = snapshot.status === 'paused'
  const keys = paused ? 'q quit · p resume · r count once' : 'q quit · p pause · r refresh'
  return (
    <Text wrap="truncate-end">
      <Text dimColor={color}>{keys}</Text>
      {paused ? <Text color={color ? 'yellow' : undefined}>{' · paused: no automatic counts'}</Text> : null}
      {pending ? <Text dimColor={color}>{` · ${pending}…`}</Text> : null}
      {snapshot.error ? <Text color={color ? 'red' : undefined}>{` · ${snapshot.error}`}</Text> : null}
    </Text>
  )
}
