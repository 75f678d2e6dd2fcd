import type {JobState} from '../../src/job.js'
import type {Repo} from '../../src/plugin.js'

/** One line of a breakdown: how many jobs of a queue are in a state. */
export interface BreakdownRow {
  queue: string
  state: JobState
  count: number
}

/**
 * Counts the jobs of every queue by state, sorted by queue then state, as the Breakdown of Oban's
 * plugin guide does (`group_by([j], [j.queue, j.state])`). The table name is unqualified: the
 * repo's connections resolve it in the instance's prefix. Only (queue, state) pairs with jobs
 * appear.
 */
export async function fetchBreakdown(repo: Repo): Promise<BreakdownRow[]> {
  return repo.query<{queue: string; state: JobState; count: number}>(
    `SELECT queue, state::text AS state, count(*)::int AS count
       FROM oban_jobs
      GROUP BY queue, state
      ORDER BY queue, state`,
    [],
  )
}
