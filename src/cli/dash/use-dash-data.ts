import type {JobId} from '../../job/job-id.js'
import {useCallback, useEffect, useRef, useState} from 'react'
import type {Job} from '../../job/job.js'
import type {JobsPage, JobsPageQuery} from '../../operator/jobs-page.js'
import type {DashLoader, NodesData, QueuesData} from './loader.js'

/** What the screen needs now: which tab, and for Jobs the page query and the job opened. */
export interface DataWants {
  tab: 'queues' | 'nodes' | 'jobs'
  jobsQuery: JobsPageQuery
  jobId?: JobId
}

export interface DashData {
  queues?: QueuesData
  nodes?: NodesData
  jobs?: JobsPage
  /** The job opened in the detail, or null when it is gone. */
  job?: Job | null
  /** The last refresh's failure (the screen keeps the previous data). */
  error?: string
  updatedAt?: Date
  /** How long the last refresh took, ms: its statements, one after the other. */
  refreshMs?: number
  /** The time between refreshes now: the interval, or longer while refreshes are slow. */
  everyMs?: number
}

/**
 * A refresh waits at least this many times as long as the previous one took, so that a slow
 * statement (a text search over a million jobs, a sort of a big state) never keeps a database
 * backend busy more than a fifth of the time, whatever the interval.
 */
const SLOWDOWN = 5

/**
 * Refreshes the dash's data every `intervalMs`, and at once when `refresh()` is called (a key,
 * a changed tab or filter). The queues and throughput are read on every refresh, whatever the tab
 * (the throughput series must not have holes); the tab's own data after them. A refresh never
 * overlaps another: one asked for meanwhile runs right after.
 */
export function useDashData(
  loader: DashLoader,
  intervalMs: number,
  wants: DataWants,
): DashData & {refresh: () => void} {
  const [data, setData] = useState<DashData>({})
  const wantsRef = useRef(wants)
  wantsRef.current = wants
  const state = useRef({busy: false, again: false, alive: true, lastRun: 0, lastMs: 0})

  const run = useCallback(async () => {
    const s = state.current
    if (s.busy) {
      s.again = true
      return
    }
    s.busy = true
    try {
      do {
        s.again = false
        const w = wantsRef.current
        const started = performance.now()
        try {
          const queues = await loader.queues()
          const next: DashData = {queues}
          if (w.tab === 'nodes') next.nodes = await loader.nodes()
          if (w.tab === 'jobs') {
            if (w.jobId !== undefined) next.job = (await loader.job(w.jobId)) ?? null
            else next.jobs = await loader.jobs(w.jobsQuery)
          }
          if (!s.alive) return
          const refreshMs = Math.round(performance.now() - started)
          s.lastRun = started
          s.lastMs = refreshMs
          const everyMs = Math.max(intervalMs, SLOWDOWN * refreshMs)
          // The data of other tabs is kept, so switching back shows something at once.
          setData((old) => ({...old, ...next, error: undefined, updatedAt: new Date(), refreshMs, everyMs}))
        } catch (error) {
          if (!s.alive) return
          setData((old) => ({...old, error: (error as Error).message}))
        }
      } while (s.again && s.alive)
    } finally {
      s.busy = false
    }
  }, [loader, intervalMs])

  useEffect(() => {
    const s = state.current
    s.alive = true
    void run()
    // Ticks at the interval; a tick too soon after a slow refresh is skipped (see SLOWDOWN).
    const timer = setInterval(() => {
      if (performance.now() - s.lastRun >= Math.max(intervalMs, SLOWDOWN * s.lastMs) - 50) void run()
    }, intervalMs)
    return () => {
      s.alive = false
      clearInterval(timer)
    }
  }, [run, intervalMs])

  // A new tab, filter or job reads at once rather than at the next tick.
  const {tab, jobsQuery, jobId} = wants
  useEffect(() => void run(), [run, tab, jobsQuery, jobId])

  const refresh = useCallback(() => void run(), [run])
  return {...data, refresh}
}
