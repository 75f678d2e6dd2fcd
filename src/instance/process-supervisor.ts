import {spawn, type ChildProcess} from 'node:child_process'
import {createInterface} from 'node:readline'

/** How to start child number `index` (1 to count). */
export interface ChildSpec {
  command: string
  args: readonly string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export interface RestartBackoff {
  /** Delay before the first restart after a crash (default 1 s). */
  initialMs?: number
  /** The delay doubles with each crash in a row, up to this (default 30 s). */
  maxMs?: number
  /** A child that ran this long before exiting counts as healthy: the next delay starts over (default 60 s). */
  resetAfterMs?: number
}

export type SupervisorEvent =
  | {type: 'started'; index: number; pid: number; restarts: number}
  | {type: 'exited'; index: number; pid: number; code: number | null; signal: NodeJS.Signals | null; stopping: boolean}
  | {type: 'restarting'; index: number; delayMs: number; restarts: number}

export interface ProcessSupervisorOptions {
  /** How many children to keep running. */
  count: number
  spec: (index: number) => ChildSpec
  backoff?: RestartBackoff
  /** Each line a child writes (its stdout and stderr are pipes; stdin is closed). */
  onLine?: (index: number, stream: 'stdout' | 'stderr', line: string) => void
  onEvent?: (event: SupervisorEvent) => void
}

export interface ChildExit {
  index: number
  code: number | null
  signal: NodeJS.Signals | null
}

interface Slot {
  index: number
  child?: ChildProcess
  startedAt: number
  crashes: number
  restarts: number
  timer?: NodeJS.Timeout
  /** Ends the wait for a restart that stop() cancelled. */
  cancelRestart?: () => void
  exit?: ChildExit
  exited?: Promise<void>
}

const DEFAULTS = {initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000}

/**
 * Keeps `count` processes running, as Oban's supervision tree keeps a node's processes: a child
 * that exits while the supervisor runs is started again after a delay that doubles with each
 * crash in a row (capped, and back to the first delay once a child has run for `resetAfterMs`).
 * {@link ProcessSupervisor.stop} sends one signal to every child, restarts nothing more, and
 * resolves with their exit statuses once all have exited; each child drains on its own terms.
 *
 * Each child is the leader of its own process group, so a terminal's Ctrl-C reaches the
 * supervisor alone, which forwards it once (two copies of one key press would read as a second,
 * forcing Ctrl-C). Each also gets an IPC channel: a child can stop when it closes, so that a
 * supervisor killed outright does not leave its children running (see `oban start`).
 */
export class ProcessSupervisor {
  private readonly slots: Slot[]
  private readonly backoff: Required<RestartBackoff>
  private stopping = false

  constructor(private readonly options: ProcessSupervisorOptions) {
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError('count must be a positive integer')
    this.backoff = {...DEFAULTS, ...options.backoff}
    this.slots = Array.from({length: options.count}, (_, i) => ({index: i + 1, startedAt: 0, crashes: 0, restarts: 0}))
  }

  /** Starts every child. */
  start(): void {
    for (const slot of this.slots) this.launch(slot)
  }

  /** The pids of the children running now, by index (undefined while one waits for its restart). */
  pids(): (number | undefined)[] {
    return this.slots.map((slot) => (slot.exit === undefined ? slot.child?.pid : undefined))
  }

  /** Sends `signal` to every running child (a second Ctrl-C, forwarded). */
  signal(signal: NodeJS.Signals): void {
    for (const slot of this.slots) if (slot.child && slot.exit === undefined) slot.child.kill(signal)
  }

  /**
   * Stops supervising: no more restarts, `signal` to every child, then waits for all of them.
   * Resolves with each child's exit (a child waiting for a restart counts as exited, code 0).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildExit[]> {
    this.stopping = true
    for (const slot of this.slots) {
      if (slot.timer) {
        clearTimeout(slot.timer)
        slot.timer = undefined
        slot.exit = {index: slot.index, code: 0, signal: null}
        slot.cancelRestart?.()
      }
    }
    this.signal(signal)
    await Promise.all(this.slots.map((slot) => slot.exited ?? Promise.resolve()))
    return this.slots.map((slot) => slot.exit ?? {index: slot.index, code: 0, signal: null})
  }

  private launch(slot: Slot): void {
    const spec = this.options.spec(slot.index)
    const child = spawn(spec.command, [...spec.args], {
      env: spec.env,
      cwd: spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    })
    // The channel is there for the child to notice our death; it must not keep us alive.
    child.channel?.unref()
    slot.child = child
    slot.exit = undefined
    slot.startedAt = Date.now()
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream]
      if (!readable) continue
      const lines = createInterface({input: readable, crlfDelay: Infinity})
      lines.on('line', (line) => this.options.onLine?.(slot.index, stream, line))
    }
    slot.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        // spawn itself failed (no such command): as a crash, with the error on the child's stderr.
        this.options.onLine?.(slot.index, 'stderr', error.message)
      })
      child.once('close', (code, signal) => {
        slot.exit = {index: slot.index, code, signal}
        this.options.onEvent?.({
          type: 'exited',
          index: slot.index,
          pid: child.pid ?? 0,
          code,
          signal,
          stopping: this.stopping,
        })
        if (!this.stopping) this.scheduleRestart(slot)
        resolve()
      })
    })
    if (child.pid !== undefined)
      this.options.onEvent?.({type: 'started', index: slot.index, pid: child.pid, restarts: slot.restarts})
  }

  private scheduleRestart(slot: Slot): void {
    const ranFor = Date.now() - slot.startedAt
    slot.crashes = ranFor >= this.backoff.resetAfterMs ? 1 : slot.crashes + 1
    const delayMs = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (slot.crashes - 1))
    slot.restarts++
    this.options.onEvent?.({type: 'restarting', index: slot.index, delayMs, restarts: slot.restarts})
    slot.exited = new Promise((resolve) => {
      slot.cancelRestart = resolve
      slot.timer = setTimeout(() => {
        slot.timer = undefined
        slot.cancelRestart = undefined
        this.launch(slot)
        void slot.exited?.then(resolve)
      }, delayMs)
    })
  }
}
