import {countBreakdown, type BreakdownCount} from './count-breakdown.js'
import type {Repo} from '../../src/plugin/plugin.js'

/**
 * One line of a breakdown: how many jobs of a queue are in a state. `approximate` marks a count
 * estimated for a very large final state (completed, discarded, cancelled); views show it as such.
 */
export type BreakdownRow = BreakdownCount

/**
 * Counts the jobs of every queue by state, sorted by queue then Oban's lifecycle order, as the
 * Breakdown of Oban's plugin guide does (`group_by([j], [j.queue, j.state])`), through the
 * instance's repo. It stays cheap on big tables: exact counts through the fetch index, and
 * estimates (marked approximate) for final states above 100,000 jobs (see countBreakdown). Only
 * (queue, state) pairs with jobs appear.
 */
export async function fetchBreakdown(repo: Repo): Promise<BreakdownRow[]> {
  return countBreakdown(repo, repo.prefix)
}
