import type {Queryable} from '../db/pool.js'
import {listJobsPage, type PageOrderColumn} from '../engine/list-jobs-page.js'
import type {JobFilter} from '../job/filter.js'
import type {Job, JobState} from '../job/job.js'

/** What a page of the jobs table shows: Oban Web's filters (one state at a time, or all). */
export interface JobsPageQuery {
  state?: JobState
  queues?: string[]
  workers?: string[]
  tags?: string[]
  /** Text looked up in args and meta. */
  search?: string
  /** 0-based. */
  page: number
  pageSize: number
}

export interface JobsPage {
  jobs: Job[]
  /** Another page follows. */
  more: boolean
  /** The column and direction the page is sorted by. */
  order: {column: PageOrderColumn; direction: 'asc' | 'desc'}
}

/**
 * The order Oban Web lists a state in, by the time that matters for it: jobs waiting to run
 * (available, scheduled, retryable) by when they run, soonest first; the others by when they
 * started (executing) or ended (cancelled, discarded), latest first, which Oban's
 * (state, cancelled_at) and (state, discarded_at) indexes serve. Completed jobs have no such
 * index and are usually most of the table (sorting 880k of them by completed_at took 1.2 s on a
 * 1M-job table): they are listed newest first by id, which follows completion closely. Every
 * state at once: newest jobs first.
 */
export function stateOrder(state: JobState | undefined): JobsPage['order'] {
  switch (state) {
    case 'available':
    case 'scheduled':
    case 'retryable':
    case 'suspended':
      return {column: 'scheduled_at', direction: 'asc'}
    case 'executing':
      return {column: 'attempted_at', direction: 'desc'}
    case 'cancelled':
      return {column: 'cancelled_at', direction: 'desc'}
    case 'discarded':
      return {column: 'discarded_at', direction: 'desc'}
    default:
      return {column: 'id', direction: 'desc'}
  }
}

/** The filter of a page query, as bulk actions and counts take it. */
export function pageFilter(query: Omit<JobsPageQuery, 'page' | 'pageSize'>): JobFilter {
  const filter: JobFilter = {}
  if (query.state) filter.states = [query.state]
  if (query.queues?.length) filter.queues = query.queues
  if (query.workers?.length) filter.workers = query.workers
  if (query.tags?.length) filter.tags = query.tags
  return filter
}

/** One page of the jobs table, as Oban Web orders it (see {@link stateOrder}). */
export async function jobsPage(db: Queryable, prefix: string, query: JobsPageQuery): Promise<JobsPage> {
  const order = stateOrder(query.state)
  const {jobs, more} = await listJobsPage(db, prefix, {
    filter: pageFilter(query),
    ...order,
    search: query.search,
    limit: query.pageSize,
    offset: query.page * query.pageSize,
  })
  return {jobs, more, order}
}
