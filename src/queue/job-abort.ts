import type {Job} from '../job/job.js'
import type {Ack} from './acker.js'

/** Receives a job's ack when its execution ends; never called synchronously from the start. */
export type ExecutionDone = (job: Job, ack: Ack) => void

/** A running job as its producer holds it: the job, and the abort of its execution. */
export type RunningJob = JobAbort & {readonly job: Job}

/**
 * The abort side of one running job: Oban's `pkill`, a shutdown past its grace period, and the
 * worker's timeout all end here. The executor's Execution extends it and hears of the abort by
 * overriding `abort`; another holder may register one plain callback (`onAbort`). The
 * AbortSignal handed to `perform` is only created when the worker reads it: most jobs never look
 * at their signal, and an AbortController plus an EventTarget listener per job was a measurable
 * share of the time between a fetch result and the next fetch (bench/README.md).
 */
export class JobAbort {
  private controller?: AbortController
  private done = false
  private why: unknown
  private listener?: (reason: unknown) => void

  /** The signal for `perform`; aborted (with the same reason) if the job already was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.done) this.controller.abort(this.why)
    }
    return this.controller.signal
  }

  get aborted(): boolean {
    return this.done
  }

  /** Aborts once; later calls are ignored (the first reason wins, as with AbortController). */
  abort(reason: unknown): void {
    if (this.done) return
    this.done = true
    this.why = reason
    this.controller?.abort(reason)
    const listener = this.listener
    this.listener = undefined
    listener?.(reason)
  }

  /** Calls `listener` on abort (at once if already aborted); one listener, replaced by the next call. */
  onAbort(listener: ((reason: unknown) => void) | undefined): void {
    if (listener && this.done) listener(this.why)
    else this.listener = listener
  }
}
