// `oban-ts/testing`: Oban.Testing's helpers, for any test runner (they throw node:assert's
// AssertionError, which vitest, node:test, jest and mocha all report with a diff).
import type pg from 'pg'
import type {Queryable} from '../db/pool.js'
import type {Job} from '../job/job.js'
import {drainQueue, type DrainQueueOptions, type DrainResult} from './drain-queue.js'
import {allEnqueued, assertEnqueued, refuteEnqueued, type EnqueuedMatch, type EnqueuedWait} from './enqueued.js'

export {performJob, type PerformJobOptions} from './perform-job.js'
export type {DrainQueueOptions, DrainResult, TestingDatabase} from './drain-queue.js'
export type {EnqueuedMatch, EnqueuedWait} from './enqueued.js'

export interface ObanTestingOptions {
  /** The test database: a pool, or a client holding the test's transaction (see README). */
  db: pg.Pool | pg.PoolClient | pg.Client | Queryable
  /** The schema of Oban's tables (default `public`). */
  prefix?: string
  /** The workers `drainQueue` runs jobs with. */
  workers?: readonly unknown[]
}

/** The helpers bound to one test database, as `use Oban.Testing, repo: MyApp.Repo, prefix: ...`. */
export interface ObanTesting {
  /** Runs a queue's jobs in the caller; counts of `success`, `failure`, `cancelled`, `snoozed`, `discard`. */
  drainQueue(options: DrainQueueOptions): Promise<DrainResult>
  /** Throws an AssertionError (candidates listed) unless a job matches, waiting up to `timeout` ms. */
  assertEnqueued(match: EnqueuedMatch & EnqueuedWait): Promise<void>
  /** Throws an AssertionError if a job matches, now or within `timeout` ms. */
  refuteEnqueued(match: EnqueuedMatch & EnqueuedWait): Promise<void>
  /** The matching jobs, oldest first. */
  allEnqueued(match?: EnqueuedMatch): Promise<Job[]>
}

export function obanTesting(options: ObanTestingOptions): ObanTesting {
  const database = {db: options.db, prefix: options.prefix ?? 'public', workers: options.workers ?? []}
  return {
    drainQueue: (drain) => drainQueue(database, drain),
    assertEnqueued: (match) => assertEnqueued(database, match),
    refuteEnqueued: (match) => refuteEnqueued(database, match),
    allEnqueued: (match) => allEnqueued(database, match),
  }
}
