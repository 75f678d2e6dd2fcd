import {randomUUID} from 'node:crypto'
import type {Queryable} from '../db/pool.js'
import {cancelExecutedJobs, completeJobs, discardJobs, retryJobs, snoozeJobs} from '../engine/ack-jobs.js'
import {fetchJobs} from '../engine/fetch-jobs.js'
import {stageQueue} from '../engine/stage-queue.js'
import type {Job} from '../job/job.js'
import type {Worker} from '../job/worker.js'
import {WorkerRegistry} from '../job/worker-registry.js'
import type {Ack} from '../queue/acker.js'
import {executeJob} from '../queue/executor.js'
import {createLogger} from '../telemetry/logger.js'

export interface DrainQueueOptions {
  queue: string
  /** Stage the queue's scheduled and retryable jobs first (all, or those due by a date); default false. */
  withScheduled?: boolean | Date
  /** Jobs fetched per pass (default: all available). */
  withLimit?: number
  /** Drain again while jobs ran (jobs inserted by jobs, retries with `withScheduled`); default false. */
  withRecursion?: boolean
  /** Catch what perform throws and count it as a failure (default true); false rethrows it. */
  withSafety?: boolean
}

/** What a drain ran, by outcome, as Oban's `drain_queue/2`. */
export interface DrainResult {
  success: number
  failure: number
  cancelled: number
  snoozed: number
  discard: number
}

/** Where the testing helpers read and write: the instance's database, schema and workers. */
export interface TestingDatabase {
  db: Queryable
  prefix: string
  /** Workers made by defineWorker (checked when a drain starts). */
  workers: readonly unknown[]
}

const NODE = 'oban-testing'
// As many as a LIMIT takes: "all available".
const ALL = 2_147_483_647

/**
 * Runs a queue's available jobs in the caller, one at a time, and writes their outcomes, as
 * Oban's `drain_queue/2`. No node is needed (nor should one run that queue meanwhile).
 */
export async function drainQueue(database: TestingDatabase, options: DrainQueueOptions): Promise<DrainResult> {
  const {db, prefix} = database
  const {queue, withScheduled = false, withLimit, withRecursion = false, withSafety = true} = options
  const counts: DrainResult = {success: 0, failure: 0, cancelled: 0, snoozed: 0, discard: 0}
  const thrown: {error?: unknown; set: boolean} = {set: false}
  const note = (error: unknown) => Object.assign(thrown, {error, set: true})
  const given = new WorkerRegistry()
  for (const worker of database.workers) given.register(worker as Worker, 'obanTesting workers')
  const workers = withSafety ? given : new WorkerRegistry([...given].map((w) => unsafe(w, note)))
  const context = {instance: 'Oban', prefix, workers, logger: createLogger({level: 'silent'})}
  const producerUuid = randomUUID()
  for (;;) {
    if (withScheduled !== false) await stageQueue(db, prefix, queue, withScheduled === true ? null : withScheduled)
    const jobs: Job[] = await fetchJobs(db, prefix, {queue, demand: withLimit ?? ALL, node: NODE, producerUuid})
    if (jobs.length === 0) break
    for (const job of jobs) {
      thrown.set = false
      const ack = await executeJob(job, context)
      await writeAck(db, prefix, ack)
      count(counts, ack)
      if (thrown.set) throw thrown.error
    }
    if (!withRecursion) break
  }
  return counts
}

/** The worker, noting what its perform throws (the executor catches it) so the drain can rethrow it. */
function unsafe(worker: Worker, onThrow: (error: unknown) => void): Worker {
  const perform = worker.definition.perform
  const noted = (error: unknown): never => {
    onThrow(error)
    throw error
  }
  return {
    ...worker,
    definition: {
      ...worker.definition,
      perform: (job, context) => {
        try {
          return Promise.resolve(perform(job, context)).catch(noted)
        } catch (error) {
          return noted(error)
        }
      },
    },
  }
}

async function writeAck(db: Queryable, prefix: string, ack: Ack): Promise<void> {
  if (ack.kind === 'complete') await completeJobs(db, prefix, NODE, [ack])
  else if (ack.kind === 'retry') await retryJobs(db, prefix, NODE, [ack])
  else if (ack.kind === 'discard') await discardJobs(db, prefix, NODE, [ack])
  else if (ack.kind === 'cancel') await cancelExecutedJobs(db, prefix, NODE, [ack])
  else await snoozeJobs(db, prefix, NODE, [ack])
}

function count(counts: DrainResult, ack: Ack): void {
  if (ack.kind === 'complete') counts.success++
  else if (ack.kind === 'retry') counts.failure++
  else if (ack.kind === 'discard') counts.discard++
  else if (ack.kind === 'cancel') counts.cancelled++
  else counts.snoozed++
}
