import type {Queryable} from '../db/pool.js'
import {throughputCounts} from '../engine/throughput-counts.js'
import type {QueueOverview} from './queue-overview.js'

/** Jobs that finished one way or another during one interval. */
export interface Throughput {
  completed: number
  /** Failed attempts: retryable (attempts left) and discarded (none left). */
  failed: number
  cancelled: number
}

/** One interval: from the previous reading to this one, overall and per queue. */
export interface ThroughputSample {
  at: Date
  ms: number
  total: Throughput
  byQueue: Map<string, Throughput>
}

const zero = (): Throughput => ({completed: 0, failed: 0, cancelled: 0})

/**
 * Jobs completed, failed and cancelled per interval, from count deltas: each reading is one
 * cheap statement (see throughputCounts: new jobs by id, cancelled, discarded and retryable ones
 * by their indexes), and completed jobs are what left the unfinished states (the queue overview's
 * available + scheduled + executing + retryable counts, read anyway) and was neither cancelled
 * nor discarded:
 *
 *   completed = unfinished before + inserted - unfinished now - cancelled - discarded
 *
 * A job deleted before it finished counts as completed, and a negative result (counts read a
 * moment apart) is taken as 0. The first reading only sets the marks: it returns undefined.
 */
export class ThroughputTracker {
  private marks: {at: Date; maxId: number; unfinished: Map<string, number>} | undefined
  readonly history: ThroughputSample[] = []

  constructor(
    private readonly db: Queryable,
    private readonly prefix: string,
    /** How many intervals `history` keeps. */
    private readonly keep = 120,
  ) {}

  async sample(queues: readonly QueueOverview[]): Promise<ThroughputSample | undefined> {
    const previous = this.marks
    const reading = await throughputCounts(this.db, this.prefix, previous?.at ?? null, previous?.maxId ?? 0)
    const unfinished = new Map(queues.map((q) => [q.queue, q.available + q.scheduled + q.executing + q.retryable]))
    this.marks = {at: reading.at, maxId: reading.maxId, unfinished}
    if (!previous) return undefined
    const byQueue = new Map<string, Throughput>()
    const names = new Set([...previous.unfinished.keys(), ...unfinished.keys(), ...reading.queues.map((q) => q.queue)])
    const activity = new Map(reading.queues.map((q) => [q.queue, q]))
    const total = zero()
    for (const queue of names) {
      const seen = activity.get(queue)
      const left = (previous.unfinished.get(queue) ?? 0) + (seen?.inserted ?? 0) - (unfinished.get(queue) ?? 0)
      const counts: Throughput = {
        completed: Math.max(0, left - (seen?.cancelled ?? 0) - (seen?.discarded ?? 0)),
        failed: (seen?.retried ?? 0) + (seen?.discarded ?? 0),
        cancelled: seen?.cancelled ?? 0,
      }
      byQueue.set(queue, counts)
      total.completed += counts.completed
      total.failed += counts.failed
      total.cancelled += counts.cancelled
    }
    const sample = {at: reading.at, ms: reading.at.getTime() - previous.at.getTime(), total, byQueue}
    this.history.push(sample)
    if (this.history.length > this.keep) this.history.splice(0, this.history.length - this.keep)
    return sample
  }
}
