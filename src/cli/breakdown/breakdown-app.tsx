// The automatic JSX runtime even where no tsconfig applies: tsx (dev mode) reads the tsconfig of the
// working directory, which for `oban start` run elsewhere has none (then JSX would need React in scope).
/** @jsxRuntime automatic @jsxImportSource react */
import {Box, Text} from 'ink'
import {useMemo} from 'react'
import {formatDuration} from '../../util/duration.js'
import {formatBreakdown, type FormatOptions} from './format.js'
import {clockTime, type BreakdownMeta} from './plain.js'
import type {BreakdownSnapshot, BreakdownSource} from './source.js'
import {useBreakdown, useBreakdownKeys, useCapturedStderr} from './use-breakdown.js'

export interface BreakdownAppProps extends BreakdownMeta {
  /** Where the breakdowns come from, and what `p` and `r` act on. */
  source: BreakdownSource
  /** Table options (colour, pivot, zeros, queues), as for the plain output. */
  format?: FormatOptions
  /** `q` or Ctrl-C: the owner decides what quitting means (unmount, or stop the instance). */
  onQuit: () => void
  /** Route process.stderr (the instance's log lines) above the frame while mounted. */
  captureStderr?: boolean
}

/**
 * The live Breakdown: a header (instance, node, interval, last refresh, status), the table as the
 * shared formatter renders it (one string, truncated rather than wrapped at the terminal's edge),
 * and a status line with the keys. It holds no data of its own: everything comes from `source`,
 * so it renders the same from a running plugin or from a test's fake.
 */
export function BreakdownApp(props: BreakdownAppProps) {
  const {source, format, onQuit} = props
  const snapshot = useBreakdown(source)
  const pending = useBreakdownKeys(source, onQuit)
  useCapturedStderr(props.captureStderr === true)
  const table = useMemo(
    () => (snapshot.rows ? formatBreakdown(snapshot.rows, format) : undefined),
    [snapshot.rows, format],
  )
  return (
    <Box flexDirection="column">
      <Header {...props} snapshot={snapshot} />
      {table === undefined ? <Text dimColor>Counting jobs…</Text> : <Text wrap="truncate-end">{table}</Text>}
      <StatusLine snapshot={snapshot} pending={pending} />
    </Box>
  )
}

function Header({instance, node, intervalMs, snapshot}: BreakdownMeta & {snapshot: BreakdownSnapshot}) {
  const updated = snapshot.time ? `updated ${clockTime(snapshot.time)}` : 'not counted yet'
  const every = intervalMs === undefined ? '' : ` · every ${formatDuration(intervalMs)}`
  return (
    <Text wrap="truncate-end">
      <Text bold>Breakdown</Text>
      <Text>{` · ${instance} · node ${node}${every} · ${updated} · `}</Text>
      <Status snapshot={snapshot} />
    </Text>
  )
}

function Status({snapshot}: {snapshot: BreakdownSnapshot}) {
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

function StatusLine({snapshot, pending}: {snapshot: BreakdownSnapshot; pending: string | undefined}) {
  const toggle = snapshot.status === 'paused' ? 'resume' : 'pause'
  return (
    <Text wrap="truncate-end">
      <Text dimColor>{`q quit · p ${toggle} · r refresh`}</Text>
      {snapshot.status === 'paused' ? <Text color="yellow">{' · paused: no counts until resumed'}</Text> : null}
      {pending ? <Text dimColor>{` · ${pending}…`}</Text> : null}
      {snapshot.error ? <Text color="red">{` · ${snapshot.error}`}</Text> : null}
    </Text>
  )
}
