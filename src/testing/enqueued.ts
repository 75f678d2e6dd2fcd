import {AssertionError} from 'node:assert'
import {setTimeout as sleep} from 'node:timers/promises'
import {enqueuedJobs, type EnqueuedFilter} from '../engine/enqueued-jobs.js'
import type {Job, JobState} from '../job/job.js'
import type {TestingDatabase} from './drain-queue.js'

/** What a job must match: every given field; `args` and `meta` partially (the keys given, nested too). */
export interface EnqueuedMatch {
  /** A worker's name, or the worker. */
  worker?: string | {readonly name: string}
  queue?: string
  args?: Record<string, unknown>
  meta?: Record<string, unknown>
  priority?: number
  tags?: readonly string[]
  /** Default `['available', 'scheduled']`, as Oban.Testing. */
  state?: JobState | readonly JobState[]
}

export interface EnqueuedWait {
  /** Wait up to this many ms: for a match to appear (assert), or to be sure none does (refute). */
  timeout?: number
}

const POLL_MS = 25
const CANDIDATES = 10

/** Jobs matching, oldest first (at most 1000), as Oban's `all_enqueued/2`. */
export async function allEnqueued(database: TestingDatabase, match: EnqueuedMatch = {}): Promise<Job[]> {
  return enqueuedJobs(database.db, database.prefix, toFilter(match), 1000)
}

/**
 * Passes when a job matches, waiting up to `timeout` ms for one; otherwise throws an
 * AssertionError listing what is enqueued instead (jobs of the same worker, or any), with
 * `expected`/`actual` set so test runners show a diff.
 */
export async function assertEnqueued(database: TestingDatabase, match: EnqueuedMatch & EnqueuedWait): Promise<void> {
  const deadline = Date.now() + (match.timeout ?? 0)
  for (;;) {
    if ((await enqueuedJobs(database.db, database.prefix, toFilter(match), 1)).length > 0) return
    if (Date.now() >= deadline) break
    await sleep(POLL_MS)
  }
  const candidates = await enqueuedJobs(database.db, database.prefix, candidateFilter(match), CANDIDATES)
  const expected = shown(match)
  const actual = candidates.map((job) => pick(job, expected))
  throw new AssertionError({
    message: `expected a job matching ${JSON.stringify(expected)} to be enqueued${waited(match)}; ${
      candidates.length === 0
        ? `no ${match.worker === undefined ? '' : `${workerName(match.worker)} `}job is enqueued`
        : `enqueued instead:\n${candidates.map(describeJob).join('\n')}`
    }`,
    actual: actual.length === 1 ? actual[0] : actual,
    expected,
    operator: 'assertEnqueued',
  })
}

/**
 * Passes when no job matches, now and (with `timeout`) for that many ms; otherwise throws an
 * AssertionError naming the jobs that match.
 */
export async function refuteEnqueued(database: TestingDatabase, match: EnqueuedMatch & EnqueuedWait): Promise<void> {
  const deadline = Date.now() + (match.timeout ?? 0)
  for (;;) {
    const found = await enqueuedJobs(database.db, database.prefix, toFilter(match), CANDIDATES)
    if (found.length > 0) {
      const expected = shown(match)
      throw new AssertionError({
        message: `expected no job matching ${JSON.stringify(expected)} to be enqueued${waited(match)}; found:\n${found.map(describeJob).join('\n')}`,
        actual: found.map((job) => pick(job, expected)),
        expected: [],
        operator: 'refuteEnqueued',
      })
    }
    if (Date.now() >= deadline) return
    await sleep(POLL_MS)
  }
}

function toFilter(match: EnqueuedMatch): EnqueuedFilter {
  return {
    worker: match.worker === undefined ? undefined : workerName(match.worker),
    queue: match.queue,
    args: match.args,
    meta: match.meta,
    priority: match.priority,
    tags: match.tags,
    states: match.state === undefined ? undefined : typeof match.state === 'string' ? [match.state] : match.state,
  }
}

/** What to list when nothing matches: the same worker's jobs, or every job, in the same states. */
function candidateFilter(match: EnqueuedMatch): EnqueuedFilter {
  const filter = toFilter(match)
  return {worker: filter.worker, states: filter.states}
}

function workerName(worker: string | {readonly name: string}): string {
  return typeof worker === 'string' ? worker : worker.name
}

/** The match as plain data, for the message and the diff. */
function shown(match: EnqueuedMatch): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(match))
    if (value !== undefined && key !== 'timeout')
      out[key] = key === 'worker' ? workerName(value as string | {name: string}) : value
  return out
}

/** The job's values of the fields a match names (args and meta limited to the given keys' siblings: all of them). */
function pick(job: Job, expected: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(expected)) out[key] = (job as unknown as Record<string, unknown>)[key]
  return out
}

function describeJob(job: Job): string {
  return `  #${job.id} ${job.worker} queue=${job.queue} state=${job.state} args=${JSON.stringify(job.args)}${
    Object.keys(job.meta).length > 0 ? ` meta=${JSON.stringify(job.meta)}` : ''
  }`
}

function waited(match: EnqueuedWait): string {
  return match.timeout ? ` within ${match.timeout}ms` : ''
}
